using Fleck.Chat.Fuzz;
using SharpFuzz;

// Usage: Fleck.Chat.Fuzz <target>            run under afl-fuzz (input from afl)
//        Fleck.Chat.Fuzz <target> <file>...  run each file once and say which ones fail
// Once fuzz/run.sh has instrumented Chat.Core, it runs only under afl (the coverage map is afl's
// shared memory): replay files with the plain build, `dotnet run --project fuzz/Chat.Fuzz`.
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Fleck.Chat.Fuzz <{string.Join('|', FuzzTargets.All.Keys)}> [file...]");
    return 2;
}
if (args.Length > 1)
{
    var failed = 0;
    foreach (var file in args.Skip(1))
    {
        try
        {
            target(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"{file}: {e}");
        }
    }
    Console.WriteLine($"{args.Length - 1 - failed} passed, {failed} failed");
    return failed == 0 ? 0 : 1;
}
Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.GetBuffer().AsSpan(0, (int)copy.Length));
});
return 0;
