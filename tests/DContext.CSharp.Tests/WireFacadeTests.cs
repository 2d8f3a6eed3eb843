using System.Net.Http;
using System.Text;
using DistributedContext.Samples;
using Xunit;

namespace DistributedContext.Tests;

[Collection("Limits")]
public class WireFacadeTests
{
    [Fact]
    public void Serialize_and_Deserialize_lay_the_decoded_values_over_the_current_context()
    {
        using var ambient = DContext.Attach(Context.Empty);
        string encoded;
        using (DContext.EnterScope("edge"))
        using (DContext.EnterScope("api"))
        {
            DContext.Set(TestKeys.RequestId, "req-wire");
            DContext.Set(TestKeys.Secret, "hunter2");
            encoded = DContext.SerializeToString();
            Assert.DoesNotContain("cs.secret", Encoding.UTF8.GetString(DContext.Serialize()));
        }
        using var worker = DContext.EnterScope("worker");
        DContext.Set(TestKeys.Attempt, 4);
        using (DContext.DeserializeFromString(encoded))
        {
            Assert.Equal("req-wire", DContext.Get(TestKeys.RequestId));
            Assert.Equal(4, DContext.Get(TestKeys.Attempt));                    // local value kept
            Assert.False(DContext.TryGet(TestKeys.Secret, out _));              // never crossed
            Assert.Equal(new[] { "edge", "api", "worker" }, DContext.ScopeChain);
        }
        Assert.Equal(new[] { "worker" }, DContext.ScopeChain);
        using (DContext.Deserialize(ReadOnlySpan<byte>.Empty))
            Assert.Equal(4, DContext.Get(TestKeys.Attempt));                    // empty input: nothing decoded
    }

    [Fact]
    public void Inject_and_Extract_work_over_HttpRequestHeaders_and_dictionaries()
    {
        using var ambient = DContext.Attach(Context.Empty);
        var request = new HttpRequestMessage(HttpMethod.Get, "http://localhost/");
        var metadata = new Dictionary<string, string>();
        using (DContext.EnterScope("client"))
        {
            DContext.Set(TestKeys.RequestId, "req-http");
            DContext.Inject(request.Headers, (headers, name, value) => headers.TryAddWithoutValidation(name, value));
            DContext.Inject(metadata, (carrier, name, value) => carrier[name] = value);
        }
        Assert.True(request.Headers.Contains("dcontext"));
        using (DContext.Extract(request.Headers, (headers, name) => headers.TryGetValues(name, out var values) ? values.First() : null))
        {
            Assert.Equal("req-http", DContext.Get(TestKeys.RequestId));
            Assert.Equal(new[] { "client" }, DContext.ScopeChain);
        }
        using (DContext.Extract(metadata, (carrier, name) => carrier.GetValueOrDefault(name)))
            Assert.Equal("req-http", DContext.Get(TestKeys.RequestId));
        using (DContext.Extract(new Dictionary<string, string>(), (carrier, name) => carrier.GetValueOrDefault(name)))
            Assert.Null(DContext.Get(TestKeys.RequestId));                    // missing header: nothing decoded
    }

    [Fact]
    public void Bad_input_throws_DeserializationFailed_and_enters_nothing()
    {
        using var ambient = DContext.Attach(Context.Empty);
        var before = DContext.Capture();
        var error = Assert.Throws<ContextException>(() => DContext.DeserializeFromString("not*base64"));
        Assert.Equal(ContextErrorKind.DeserializationFailed, error.Kind);
        Assert.Throws<ContextException>(() => DContext.Deserialize(new byte[] { 9, 9, 9 }));
        Assert.Same(before, DContext.Capture());
    }

    [Fact]
    public void Limits_are_settable_and_enforced()
    {
        using var ambient = DContext.Attach(Context.Empty);
        Assert.Equal((8192, 64, 64), (DContext.MaxContextSize, DContext.MaxEntries, DContext.MaxScopeChainLength));
        var saved = ContextLimits.Current;
        try
        {
            DContext.MaxEntries = 1;
            DContext.Set(TestKeys.RequestId, "a");
            DContext.Set(TestKeys.Attempt, 2);
            Assert.Equal(ContextErrorKind.ContextTooLarge, Assert.Throws<ContextException>(() => DContext.Serialize()).Kind);
            DContext.MaxEntries = 64;
            DContext.MaxContextSize = 64;
            DContext.Set(TestKeys.RequestId, new string('x', 100));
            var tooLarge = Assert.Throws<ContextException>(() => DContext.SerializeToString());
            Assert.Contains("'cs.request_id'", tooLarge.Message);
            DContext.MaxContextSize = 8192;
            DContext.MaxScopeChainLength = 0;
            using (DContext.EnterScope("one"))
                Assert.Equal(ContextErrorKind.ContextTooLarge, Assert.Throws<ContextException>(() => DContext.Serialize()).Kind);
        }
        finally
        {
            ContextLimits.Current = saved;
        }
    }

    [Fact]
    public async Task Cross_process_demo_round_trips_through_a_child_process()
    {
        using var ambient = DContext.Attach(Context.Empty);
        await new CrossProcess().Run();   // throws if any value, or the local-only rule, is wrong
    }
}

[CollectionDefinition("Limits", DisableParallelization = true)]
public class LimitsCollection;
