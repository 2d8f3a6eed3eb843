using Xunit;
namespace DistributedContext.Tests;
public class SmokeTests
{
    [Fact]
    public void Works() => Assert.Equal(1, 1);
}
