using MlopsGateway.Cli;

return await MlopsCli.RunAsync(args, CliEnvironment.FromProcess());
