using FluentAssertions;
using Xunit;

namespace MlopsGateway.Tests.Model;

public sealed class SmallMapTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(40)]
    public void Reads_every_pair_whatever_the_size(int size)
    {
        var source = Enumerable.Range(0, size).Select(i => (Key: $"k{i}", Value: i)).ToList();

        var map = SmallMap.From<(string Key, int Value), int>(source, static p => new KeyValuePair<string, int>(p.Key, p.Value));

        map.Should().HaveCount(size);
        map.Should().BeEquivalentTo(source.ToDictionary(p => p.Key, p => p.Value));
        map["k0"].Should().Be(0);
        map.ContainsKey("K0").Should().BeFalse("keys are ordinal");
        map.TryGetValue("absent", out _).Should().BeFalse();
        FluentActions.Invoking(() => map["absent"]).Should().Throw<KeyNotFoundException>();
    }

    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    public void A_later_duplicate_replaces_an_earlier_one_and_skipped_pairs_leave_no_gap(int size)
    {
        var source = Enumerable.Range(0, size).Select(i => (Key: $"k{i % 3}", Value: i)).Append((Key: "skip", Value: -1)).ToList();

        var map = SmallMap.From<(string Key, int Value), int>(source, static p => p.Value < 0 ? null : new KeyValuePair<string, int>(p.Key, p.Value));

        map.Keys.Should().BeEquivalentTo(["k0", "k1", "k2"]);
        map["k0"].Should().Be(source.Where(p => p.Key == "k0").Max(p => p.Value));
        map.Values.Should().HaveCount(3);
    }

    [Fact]
    public void An_empty_or_missing_list_is_the_shared_empty_map()
    {
        SmallMap.From<string, string>(null, static s => new KeyValuePair<string, string>(s, s)).Should().BeSameAs(EmptyMaps.Strings);
        SmallMap.From<string, double>([], static s => new KeyValuePair<string, double>(s, 1)).Should().BeSameAs(EmptyMaps.Doubles);
        SmallMap.From<string, string>(["x"], static _ => null).Should().BeSameAs(EmptyMaps.Strings);
    }
}
