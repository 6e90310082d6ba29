using Fleck.Chat.Fuzz;

namespace Fleck.Chat.Tests.Fuzz;

/// <summary>
/// Runs every seed in fuzz/corpus and every kept finding in fuzz/crashes through the fuzz target it
/// belongs to. A target throws only for what its product code promises never to do (see each
/// target's remarks: a refused handshake or an unreadable message is fine, an exception or a
/// malformed answer is not), so a finding that comes back fails here without afl.
/// </summary>
public sealed class CorpusReplayTests
{
    private static readonly string FuzzRoot = Path.Combine(FindRepositoryRoot(), "fuzz");

    public static IEnumerable<TestCaseData> Inputs() =>
        from target in FuzzTargets.All.Keys
        from folder in new[] { "corpus", "crashes" }
        let directory = Path.Combine(FuzzRoot, folder, target)
        where Directory.Exists(directory)
        from file in Directory.GetFiles(directory).Order(StringComparer.Ordinal)
        where !Path.GetFileName(file).StartsWith('.')
        select new TestCaseData(target, $"{folder}/{target}/{Path.GetFileName(file)}");

    [TestCaseSource(nameof(Inputs))]
    public void Input_goes_through_its_target_without_an_unexpected_exception(string target, string file)
    {
        var input = File.ReadAllBytes(Path.Combine(FuzzRoot, file));

        Assert.That(() => FuzzTargets.All[target](input), Throws.Nothing);
    }

    [Test]
    public void Every_target_has_a_seed_corpus_to_replay()
    {
        foreach (var target in FuzzTargets.All.Keys)
        {
            Assert.That(Inputs().Count(c => (string)c.Arguments[0]! == target), Is.GreaterThanOrEqualTo(5), target);
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fleck.Chat.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Fleck.Chat.sln above {AppContext.BaseDirectory}.");
    }
}
