namespace Fleck.Chat.Protocol.Scripts;

/// <summary>Code points <see cref="First"/> to <see cref="Last"/> (inclusive) whose letters and marks belong to <see cref="Script"/>.</summary>
internal readonly record struct ScriptRange(int First, int Last, WritingScript Script);
