using CsCheck;
using Fleck.Chat.Modes;
using Fleck.Chat.Server;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Units;

/// <summary>The room's member set on its own: adds, removes and snapshots, checked against a plain HashSet.</summary>
public sealed class MemberSetTests
{
    // The set only looks at a member's identity and its slot, never at the connection.
    private static ChatMember NewMember() => new(null!);

    private enum Step
    {
        Add,
        Remove,
        Snapshot,
    }

    [Test]
    public void After_any_sequence_of_adds_and_removes_it_holds_what_a_hash_set_holds()
    {
        var steps = Gen.Select(Gen.Enum<Step>(), Gen.Int[0, 11]).Array[0, 80];

        steps.Sample(script =>
        {
            var pool = Enumerable.Range(0, 12).Select(_ => NewMember()).ToArray();
            var set = new MemberSet();
            var model = new HashSet<ChatMember>(ReferenceEqualityComparer.Instance);
            var handedOut = new List<(ChatMember[] Snapshot, ChatMember[] Content)>();
            foreach (var (step, index) in script)
            {
                var member = pool[index];
                switch (step)
                {
                    // The room adds a member once, when it joins; adding it again is not a case to model.
                    case Step.Add when model.Add(member):
                        set.Add(member);
                        break;
                    case Step.Remove:
                        Assert.That(set.Remove(member), Is.EqualTo(model.Remove(member)), "Remove reports whether the member was there");
                        break;
                    case Step.Snapshot:
                        var snapshot = set.Snapshot();
                        handedOut.Add((snapshot, [.. snapshot]));
                        break;
                }
                Assert.That(set.Count, Is.EqualTo(model.Count));
            }

            var last = set.Snapshot();
            Assert.That(last, Is.EquivalentTo(model), "a snapshot taken after the last change holds exactly the members");
            Assert.That(last, Is.Unique);
            foreach (var (snapshot, content) in handedOut)
            {
                Assert.That(snapshot, Is.EqualTo(content), "a snapshot already handed out never changes");
            }
        }, iter: 500, threads: 1);
    }

    [Test]
    public void Snapshot_is_reused_until_the_set_changes()
    {
        var set = new MemberSet();
        var alice = NewMember();
        set.Add(alice);

        var first = set.Snapshot();
        var again = set.Snapshot();
        set.Add(NewMember());
        var afterAdd = set.Snapshot();
        set.Remove(alice);
        var afterRemove = set.Snapshot();

        Assert.That(again, Is.SameAs(first), "no change, no new array");
        Assert.That(afterAdd, Is.Not.SameAs(first).And.Length.EqualTo(2));
        Assert.That(afterRemove, Is.Not.SameAs(afterAdd).And.Length.EqualTo(1));
        Assert.That(afterRemove, Does.Not.Contain(alice));
    }

    [Test]
    public void A_member_of_another_set_is_not_removed_from_this_one()
    {
        var ours = new MemberSet();
        var theirs = new MemberSet();
        var mine = NewMember();
        var stranger = NewMember();
        ours.Add(mine);
        theirs.Add(stranger);

        // Both sit in slot 0 of their own set: the slot alone must not be taken as proof.
        Assert.That(ours.Remove(stranger), Is.False);
        Assert.That(ours.Snapshot(), Is.EqualTo(new[] { mine }));
        Assert.That(theirs.Snapshot(), Is.EqualTo(new[] { stranger }));
    }

    [Test]
    public async Task Concurrent_adds_and_removes_leave_exactly_the_members_that_stayed()
    {
        var set = new MemberSet();
        var workers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var stayed = new List<ChatMember>();
            for (var i = 0; i < 500; i++)
            {
                var member = NewMember();
                set.Add(member);
                if (i % 10 == 0)
                {
                    _ = set.Snapshot();
                }
                if (i % 3 == 0)
                {
                    stayed.Add(member);
                }
                else if (!set.Remove(member))
                {
                    throw new InvalidOperationException("a member just added was not found");
                }
            }
            return stayed;
        })).ToArray();

        var expected = (await Task.WhenAll(workers).WaitAsync(TestTimeouts.Step)).SelectMany(s => s).ToArray();

        Assert.That(set.Snapshot(), Is.EquivalentTo(expected));
        Assert.That(set.Count, Is.EqualTo(expected.Length));
    }
}
