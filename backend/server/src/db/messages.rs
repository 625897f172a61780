//! diesel repository for messages.
