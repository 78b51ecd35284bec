using System.CommandLine;
using Spectre.Console;

namespace MlopsGateway.Cli;

/// <summary><c>mlops pipelines list|trigger</c>.</summary>
internal static class PipelinesCommands
{
    public static Command Create(CommandContext context) => new("pipelines", "Pipelines: Airflow DAGs, Kubeflow pipelines, Metaflow flows, Local pipelines.")
    {
        List(context),
        Trigger(context),
    };

    private static Command List(CommandContext context)
    {
        var contains = new Option<string?>("--name-contains") { Description = "Only pipelines whose id or name contains this text.", HelpName = "TEXT" };
        var command = new Command("list", "List pipelines.") { contains };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var pipelines = await session.Backend.Pipelines
                .ListAsync(new PipelineQuery { NameContains = parse.GetValue(contains) }, cancellationToken)
                .ToListAsync(cancellationToken);
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(new PipelinesEnvelope([.. pipelines.Select(p => new PipelineJson(p.Backend, p.Id, p.Name, p.Description, p.IsPaused, p.Schedule))]),
                    CliJsonContext.Default.PipelinesEnvelope);
                return ExitCodes.Ok;
            }
            var table = Views.Table("ID", "NAME", "PAUSED", "SCHEDULE", "DESCRIPTION");
            foreach (var p in pipelines)
            {
                table.AddRow(Views.Plain(p.Id), Views.Plain(p.Name), Views.Plain(p.IsPaused switch { true => "yes", false => "no", null => "" }),
                    Views.Plain(p.Schedule), Views.Plain(p.Description));
            }
            session.Terminal.Render(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Trigger(CommandContext context)
    {
        var pipeline = new Argument<string>("PIPELINE") { Description = "The pipeline id (DAG id, KFP pipeline id, Local pipeline name)." };
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "A run parameter key=value (repeatable). JSON literals keep their type (5, true, [1,2], \"5\"); anything else is a string.",
            HelpName = "KEY=VALUE",
            AllowMultipleArgumentsPerToken = false,
        };
        var runName = new Option<string?>("--run-name") { Description = "The run's display name.", HelpName = "NAME" };
        var runId = new Option<string?>("--run-id") { Description = "The run id to create (Airflow dag_run_id); generated when absent.", HelpName = "ID" };
        var version = new Option<string?>("--version-id") { Description = "The pipeline version to run (default: the latest).", HelpName = "ID" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait for the run to finish, with a live view of its task states; exit code 1 unless it succeeds." };
        var watcher = new RunWatcher();
        var command = new Command("trigger", "Start a pipeline run, optionally waiting for it.") { pipeline, parameters, runName, runId, version, wait };
        watcher.AddTo(command);
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var options = new TriggerOptions
            {
                Parameters = ArgumentParsers.Parameters(parse.GetValue(parameters) ?? []),
                RunName = parse.GetValue(runName),
                RunId = parse.GetValue(runId),
                VersionId = parse.GetValue(version),
            };
            var run = await session.Backend.Pipelines.TriggerAsync(parse.GetValue(pipeline)!, options, cancellationToken);
            if (parse.GetValue(wait))
            {
                if (session.Terminal.Human)
                {
                    session.Terminal.Line($"triggered {RunReferences.Format(run)}");
                }
                return await watcher.WaitAsync(session, parse, run, cancellationToken);
            }
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(new WaitEnvelope(RunJson.From(run), [], "triggered"), CliJsonContext.Default.WaitEnvelope);
            }
            else
            {
                session.Terminal.Line($"triggered {RunReferences.Format(run)} ({run.Status}); follow it with: mlops runs wait {RunReferences.Format(run)}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
