"""The web board (`/tablero`): server-rendered pages for dispatch, technicians, the network team and the
validators, on the API's port. Each screen asks the same services and rules as the JSON API."""
