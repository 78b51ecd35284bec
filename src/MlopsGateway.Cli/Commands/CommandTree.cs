using System.CommandLine;
using System.CommandLine.Help;

namespace MlopsGateway.Cli;

/// <summary>Assembles the <c>mlops</c> command tree.</summary>
internal static class CommandTree
{
    /// <summary>The root command with every subcommand and the global options.</summary>
    /// <param name="context">The environment and global options the actions use.</param>
    public static Command Build(CommandContext context)
    {
        // Named "mlops" explicitly (not after the host executable) so help reads the same in-process and installed.
        var root = new Command("mlops", "One command line over MLflow, Airflow, Kubeflow, Metaflow and Local: runs, pipelines, models, metric gates and cross-backend copies.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        context.Globals.AddTo(root);
        root.Add(BackendsCommand.Create(context));
        root.Add(ExperimentsCommands.Create(context));
        root.Add(RunsCommands.Create(context));
        root.Add(PipelinesCommands.Create(context));
        root.Add(ModelsCommands.Create(context));
        root.Add(GateCommand.Create(context));
        root.Add(CopyCommand.Create(context));
        return root;
    }
}
