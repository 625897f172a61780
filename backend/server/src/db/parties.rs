//! diesel repository for parties.
