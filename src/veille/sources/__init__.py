"""Sources: everything that turns a platform's items into canonical posts at the hub's edge."""
