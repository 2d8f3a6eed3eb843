using Xunit;

// README-QUICKSTART-CSHARP-BEGIN
using DistributedContext;

public static class Checkout
{
    static readonly ContextKey<string> RequestId = DContext.Register<string>("checkout.request_id");

    public static string Handle(string requestId)
    {
        using var scope = DContext.EnterScope("checkout");
        DContext.Set(RequestId, requestId);
        return ChargeCard();                     // no parameter passed down
    }                                            // scope disposed: request id reverted

    static string ChargeCard() =>
        $"charging for {RequestId.Get()} in {string.Join("/", DContext.ScopeChain)}";
}
// README-QUICKSTART-CSHARP-END

namespace DistributedContext.Tests
{
    public class QuickStartTests
    {
        [Fact]
        public void The_CSharp_quick_start_does_what_the_README_says()
        {
            using var _ = DContext.Attach(Context.Empty);
            Assert.Equal("charging for req-123 in checkout", Checkout.Handle("req-123"));
            Assert.Null(DContext.Get<string>("checkout.request_id"));
        }

        [Fact]
        public async Task Every_CSharp_sample_runs_and_passes_its_checks()
        {
            using var _ = DContext.Attach(Context.Empty);
            var samples = typeof(DistributedContext.Samples.Sample).Assembly.GetTypes()
                .Where(t => t.IsSubclassOf(typeof(DistributedContext.Samples.Sample)) && !t.IsAbstract)
                .Select(t => (DistributedContext.Samples.Sample)Activator.CreateInstance(t)!)
                .ToList();
            Assert.NotEmpty(samples);
            foreach (var sample in samples) await sample.Run();
        }
    }
}
