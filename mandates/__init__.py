"""Ambassador mandates with mission contracts, mission orders, benefits, advocates and the public registry."""
