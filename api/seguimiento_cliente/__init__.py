"""The customer's tracking link: dispatch gets it, the customer opens it without a login."""
