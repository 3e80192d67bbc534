"""Pure domain: enums, permissions and the lifecycle tables. No I/O; imported by workflows and API."""
