using System.CommandLine;
using Spectre.Console;

namespace MlopsGateway.Cli;

/// <summary><c>mlops models list|versions|promote</c>.</summary>
internal static class ModelsCommands
{
    public static Command Create(CommandContext context) => new("models", "The model registry: models, versions, promotion by alias.")
    {
        List(context),
        Versions(context),
        Promote(context),
    };

    private static Command List(CommandContext context)
    {
        var contains = new Option<string?>("--name-contains") { Description = "Only models whose name contains this text.", HelpName = "TEXT" };
        var command = new Command("list", "List registered models with their aliases.") { contains };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var models = await session.Backend.Models.ListModelsAsync(new ModelQuery { NameContains = parse.GetValue(contains) }, cancellationToken).ToListAsync(cancellationToken);
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(new ModelsEnvelope([.. models.Select(m => new ModelJson(m.Backend, m.Name, m.Description, RunJson.Sorted(m.Aliases), RunJson.Sorted(m.Tags), m.CreatedAt, m.UpdatedAt))]),
                    CliJsonContext.Default.ModelsEnvelope);
                return ExitCodes.Ok;
            }
            var table = Views.Table("MODEL", "ALIASES", "DESCRIPTION", "UPDATED");
            foreach (var m in models)
            {
                table.AddRow(Views.Plain(m.Name), Views.Plain(Aliases(m.Aliases)), Views.Plain(m.Description), Views.Plain(Format.Time(m.UpdatedAt ?? m.CreatedAt)));
            }
            session.Terminal.Render(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Aliases(IReadOnlyDictionary<string, string> aliases)
        => string.Join(", ", aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} → {a.Value}"));

    private static Command Versions(CommandContext context)
    {
        var name = new Argument<string>("MODEL") { Description = "The registered model's name." };
        var command = new Command("versions", "List a model's versions: stage, aliases, source run.") { name };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var model = parse.GetValue(name)!;
            await session.Backend.Models.GetModelAsync(model, cancellationToken); // an unknown model is "not found", not an empty list
            var versions = await session.Backend.Models.ListVersionsAsync(model, null, cancellationToken).ToListAsync(cancellationToken);
            versions.Sort((a, b) => CompareVersions(a.Version, b.Version));
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(new ModelVersionsEnvelope([.. versions.Select(v => new ModelVersionJson(v.Backend, v.ModelName, v.Version, v.Source, v.RunId, v.Stage, v.Status,
                    [.. v.Aliases.Order(StringComparer.Ordinal)], RunJson.Sorted(v.Tags), v.CreatedAt))]), CliJsonContext.Default.ModelVersionsEnvelope);
                return ExitCodes.Ok;
            }
            var table = Views.Table("VERSION", "ALIASES", "STAGE", "STATUS", "RUN", "SOURCE", "CREATED");
            foreach (var v in versions)
            {
                table.AddRow(Views.Plain(v.Version), Views.Plain(string.Join(", ", v.Aliases.Order(StringComparer.Ordinal))), Views.Plain(v.Stage), Views.Plain(v.Status),
                    Views.Plain(v.RunId), Views.Plain(v.Source), Views.Plain(Format.Time(v.CreatedAt)));
            }
            session.Terminal.Render(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Numeric versions in numeric order ("10" after "9"), anything else ordinally after them.</summary>
    private static int CompareVersions(string a, string b)
        => long.TryParse(a, out var x) && long.TryParse(b, out var y) ? x.CompareTo(y) : string.CompareOrdinal(a, b);

    private static Command Promote(CommandContext context)
    {
        var name = new Argument<string>("MODEL") { Description = "The registered model's name." };
        var version = new Argument<string>("VERSION") { Description = "The version to promote." };
        var alias = new Option<string>("--alias", "-a") { Description = "The alias to point at the version (e.g. champion).", Required = true, HelpName = "ALIAS" };
        var condition = new Option<string?>("--if")
        {
            Description = "Promote only when the version's source run satisfies this condition, e.g. \"metrics.accuracy >= 0.97\"; otherwise change nothing and exit 1.",
            HelpName = "CONDITION",
        };
        var command = new Command("promote", "Point an alias at a model version, optionally only when its source run's metrics pass a condition.") { name, version, alias, condition };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var model = parse.GetValue(name)!;
            var aliasName = parse.GetValue(alias)!;
            var rule = parse.GetValue(condition) is { } text ? RunCondition.Parse(text, "--if") : null;
            var registry = session.Backend.Models;
            var target = await registry.GetVersionAsync(model, parse.GetValue(version)!, cancellationToken);
            var previous = (await registry.GetModelAsync(model, cancellationToken)).Aliases.TryGetValue(aliasName, out var held) ? held : null;
            string? runText = null;
            if (rule is not null)
            {
                if (target.RunId is null)
                {
                    return Report(session, new PromoteEnvelope(model, target.Version, aliasName, false, previous, rule.Text, null,
                        $"not promoted: version {target.Version} of '{model}' records no source run to check \"{rule.Text}\" against; '{aliasName}' unchanged."));
                }
                var reference = new RunRef(target.RunId, target.Backend);
                var run = await session.For(reference).Runs.GetAsync(reference, cancellationToken);
                runText = RunReferences.Format(run);
                var (holds, explanations) = rule.Evaluate(run);
                if (!holds)
                {
                    return Report(session, new PromoteEnvelope(model, target.Version, aliasName, false, previous, rule.Text, runText,
                        $"not promoted: {string.Join("; ", explanations)} (run {runText}); '{aliasName}' {(previous is null ? "stays unset" : $"stays on version {previous}")}."));
                }
            }
            await registry.SetAliasAsync(model, aliasName, target.Version, cancellationToken);
            return Report(session, new PromoteEnvelope(model, target.Version, aliasName, true, previous, rule?.Text, runText,
                $"promoted: '{model}' version {target.Version} is now '{aliasName}'{(previous is null || previous == target.Version ? "" : $" (was version {previous})")}."));
        });
        return command;
    }

    private static int Report(CliSession session, PromoteEnvelope result)
    {
        if (session.Terminal.Json)
        {
            session.Terminal.WriteJson(result, CliJsonContext.Default.PromoteEnvelope);
        }
        else
        {
            session.Terminal.Line(result.Message);
        }
        return result.Promoted ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
