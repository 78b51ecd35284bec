using System.CommandLine;
using Spectre.Console;

namespace MlopsGateway.Cli;

/// <summary><c>mlops experiments list</c>.</summary>
internal static class ExperimentsCommands
{
    public static Command Create(CommandContext context)
    {
        var deleted = new Option<bool>("--include-deleted") { Description = "Also list soft-deleted (archived) experiments." };
        var list = new Command("list", "List experiments.") { deleted };
        context.Handle(list, async (session, parse, cancellationToken) =>
        {
            var experiments = await session.Backend.Runs
                .ListExperimentsAsync(new ExperimentQuery { IncludeDeleted = parse.GetValue(deleted) }, cancellationToken)
                .ToListAsync(cancellationToken);
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(new ExperimentsEnvelope([.. experiments.Select(e => new ExperimentJson(e.Backend, e.Id, e.Name, e.State, e.ArtifactLocation, e.CreatedAt))]),
                    CliJsonContext.Default.ExperimentsEnvelope);
                return ExitCodes.Ok;
            }
            var table = Views.Table("ID", "NAME", "STATE", "CREATED", "ARTIFACTS");
            foreach (var e in experiments)
            {
                table.AddRow(Views.Plain(e.Id), Views.Plain(e.Name), Views.Plain(e.State.ToString()), Views.Plain(Format.Time(e.CreatedAt)), Views.Plain(e.ArtifactLocation));
            }
            session.Terminal.Render(table);
            return ExitCodes.Ok;
        });
        return new Command("experiments", "Experiments (MLflow, Kubeflow, Local).") { list };
    }

    /// <summary>The experiment named (or, failing that, with the id) <paramref name="nameOrId"/>.</summary>
    /// <param name="runs">The run client.</param>
    /// <param name="nameOrId">An experiment name or id.</param>
    /// <param name="cancellationToken">Cancels the look-up.</param>
    public static async Task<Experiment> FindAsync(IRunClient runs, string nameOrId, CancellationToken cancellationToken)
    {
        try
        {
            return await runs.GetExperimentByNameAsync(nameOrId, cancellationToken);
        }
        catch (MlopsNotFoundException)
        {
            try
            {
                return await runs.GetExperimentAsync(nameOrId, cancellationToken);
            }
            catch (Exception e) when (e is MlopsNotFoundException or MlopsValidationException)
            {
                throw new MlopsNotFoundException($"no experiment named '{nameOrId}' (nor with that id).", e is MlopsException m ? m.Details : null);
            }
        }
    }
}
