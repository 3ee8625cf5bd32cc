"""The contract every adapter of a port keeps, run against each adapter."""
