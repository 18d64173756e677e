"""The commission service over HTTP: FastAPI routers, schemas, authentication and the one
place where errors become HTTP responses. It calls the services layer only."""
