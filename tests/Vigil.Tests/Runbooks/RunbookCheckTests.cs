using System.CommandLine;
using Vigil.Cli;

namespace Vigil.Tests.Runbooks;

public sealed class RunbookCheckTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("vigil-runbooks-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Seed 002's runbook template, filled in as an operator would, with front matter for its metadata.</summary>
    public const string Template = """
        ---
        title: Database vacuum
        risk: Medium
        frequency: Weekly
        duration: 30 minutes
        owner: dba
        services: [api]
        ---
        # Runbook: Database vacuum

        **Purpose**: Reclaim space and refresh planner statistics
        **When to use**: Weekly, or when table bloat alerts fire
        **Frequency**: Weekly
        **Duration**: 30 minutes
        **Risk Level**: Medium

        ## Prerequisites

        - Access required
        - Tools needed
        - Backup/snapshot taken

        ## Procedure

        ### Step 1: Vacuum the database
        ```bash
        # Commands
        vacuumdb --all --analyze
        ```
        **Command**: vacuum-db
        **Expected result**: vacuumdb exits 0

        ### Step 2: Check bloat
        ```bash
        psql -c 'select 1'
        ```
        **Expected result**: bloat under 10%

        ## Verification

        How to verify the procedure succeeded:
        - [ ] Check 1
        - [ ] Check 2

        ## Rollback

        If something goes wrong:
        1. ...

        ## Post-execution

        - [ ] Update logs
        - [ ] Notify team
        - [ ] Document any issues
        """;

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliRunner.RunAsync(new RootCommand { RunbookCommand.Create() }, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private string Config(string runbooksSection = "")
    {
        var file = Path.Combine(directory, "vigil.yaml");
        File.WriteAllText(file, $"""
            runbooks:
              commands:
                - name: vacuum-db
                  run: [/usr/bin/vacuumdb, --all]
            {runbooksSection}
            """);
        return file;
    }

    private string Runbook(string name, string text)
    {
        Directory.CreateDirectory(Path.Combine(directory, "runbooks"));
        var file = Path.Combine(directory, "runbooks", name + ".md");
        File.WriteAllText(file, text);
        return file;
    }

    [Fact]
    public async Task The_seed_template_written_as_a_file_passes_the_check()
    {
        var config = Config();
        var file = Runbook("database-vacuum", Template);

        var (exit, output, error) = await RunAsync("runbook", "check", "--config", config);

        Assert.True(exit == 0, error);
        Assert.Contains($"{file}: OK (Database vacuum, risk Medium, 2 steps)", output);
    }

    [Fact]
    public async Task A_runbook_without_its_verification_section_fails_with_its_file_and_line()
    {
        var config = Config();
        var text = Template.Replace("## Verification\n\nHow to verify the procedure succeeded:\n- [ ] Check 1\n- [ ] Check 2\n\n", "", StringComparison.Ordinal);
        Assert.NotEqual(Template, text);
        var file = Runbook("no-verification", text);
        var rollbackLine = Array.IndexOf(text.Split('\n'), "## Rollback") + 1;

        var (exit, _, error) = await RunAsync("runbook", "check", "--config", config, file);

        Assert.Equal(1, exit);
        Assert.Contains($"{file}:{rollbackLine}:1: missing section \"Verification\" (it comes before \"Rollback\")", error);
        Assert.Contains("1 error in runbooks", error);
    }

    [Fact]
    public async Task A_step_without_expected_result_or_with_an_unlisted_command_or_url_fails_at_its_line()
    {
        var config = Config("  http: [\"http://127.0.0.1:9000/api/\"]");
        var text = Template
            .Replace("**Expected result**: bloat under 10%", "**HTTP**: POST http://127.0.0.1:9000/admin/scale", StringComparison.Ordinal)
            .Replace("**Command**: vacuum-db", "**Command**: rm-rf", StringComparison.Ordinal);
        var file = Runbook("bad-steps", text);
        var lines = text.Split('\n');
        int LineOf(string prefix) => Array.FindIndex(lines, l => l.StartsWith(prefix, StringComparison.Ordinal)) + 1;

        var (exit, _, error) = await RunAsync("runbook", "check", "--config", config, directory + "/runbooks");

        Assert.Equal(1, exit);
        Assert.Contains($"{file}:{LineOf("**Command**")}:1: unknown command \"rm-rf\": a step may only run a command listed in runbooks.commands (vacuum-db)", error);
        Assert.Contains($"{file}:{LineOf("### Step 2")}:1: step \"Check bloat\" has no verification", error);
        Assert.Contains($"{file}:{LineOf("**HTTP**")}:1: \"http://127.0.0.1:9000/admin/scale\" is not under any URL in runbooks.http", error);
    }

    [Fact]
    public async Task A_bad_risk_level_and_an_unknown_front_matter_key_are_reported_where_written()
    {
        var config = Config();
        var text = Template.Replace("risk: Medium", "risk: Low | Medium | High", StringComparison.Ordinal).Replace("owner: dba", "ownr: dba", StringComparison.Ordinal);
        var file = Runbook("bad-meta", text);

        var (exit, _, error) = await RunAsync("runbook", "check", "--config", config, file);

        Assert.Equal(1, exit);
        Assert.Contains($"{file}:3:1: risk must be Low, Medium or High, not \"Low | Medium | High\"", error);
        Assert.Contains($"{file}:6:1: unknown front matter key \"ownr\"", error);
    }

    [Fact]
    public async Task Config_check_rejects_a_runbook_beside_the_config_that_names_an_unlisted_command()
    {
        var config = Config();
        var file = Runbook("bad", Template.Replace("**Command**: vacuum-db", "**Command**: drop-db", StringComparison.Ordinal));
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CliRunner.RunAsync(new RootCommand { ConfigCommand.Create() }, ["config", "check", config], output, error);

        Assert.Equal(1, exit);
        Assert.Contains($"{file}:", error.ToString());
        Assert.Contains("unknown command \"drop-db\"", error.ToString());
    }
}
