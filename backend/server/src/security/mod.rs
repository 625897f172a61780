pub mod jwt;
pub mod password;
pub mod secretbox;
