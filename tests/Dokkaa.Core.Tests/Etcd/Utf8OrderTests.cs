using System.Text;
using Dokkaa.Testing.Etcd;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

public sealed class Utf8OrderTests
{
    private static readonly string[] Samples =
        ["", "a", "a/", "a0", "ab", "\u007f", "\u0080", "é", "\uD7FF", "\uE000", "\uFFFD", "\uFFFF", "😀", "😀a", "\U0010FFFF", "a😀", "a\uFFFF", "a\uE000"];

    [Fact]
    public void Strings_sort_as_their_utf8_bytes_do()
    {
        var byUtf8 = Samples.OrderBy(s => Encoding.UTF8.GetBytes(s), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToList();
        var byOrder = Samples.OrderBy(s => s, Utf8Order.Instance).ToList();

        Assert.Equal(byUtf8, byOrder);
    }

    [Fact]
    public void The_upper_bound_of_a_prefix_is_above_everything_with_that_prefix_and_below_everything_after()
    {
        foreach (var prefix in Samples.Where(s => s.Length > 0))
        {
            var upper = Utf8Order.UpperBound(prefix);
            Assert.NotNull(upper);
            foreach (var candidate in Samples.SelectMany(s => new[] { s, prefix + s }))
            {
                var under = candidate.StartsWith(prefix, StringComparison.Ordinal);
                var inRange = Utf8Order.Instance.Compare(candidate, prefix) >= 0 && Utf8Order.Instance.Compare(candidate, upper) < 0;
                Assert.True(under == inRange, $"prefix {Escape(prefix)}, key {Escape(candidate)}: under={under}, in range={inRange}");
            }
        }
    }

    private static string Escape(string s) => string.Concat(s.Select(c => $"\\u{(int)c:x4}"));
}
