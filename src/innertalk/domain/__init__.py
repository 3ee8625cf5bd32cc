"""Pure rules of InnerTalk: entities and functions with no I/O, clocks or frameworks."""
