//! Serving a child (`exec`'s command or the TUI's role shell): the credential endpoint, its
//! control socket, the child runner, the private directories they use, and the browser opener.

pub mod browser;
pub mod child;
pub mod control;
pub mod endpoint;
pub mod holder;
pub mod private_dir;
pub mod served_child;
