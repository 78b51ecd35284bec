global using MlopsGateway.Testing;
