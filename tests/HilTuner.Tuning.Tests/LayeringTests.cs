using System.Reflection;
using System.Runtime.CompilerServices;
using HilTuner.Tuning.Log;

namespace HilTuner.Tuning.Tests;

[TestClass]
public sealed class LayeringTests
{
    /// <summary>The command line uses Tuning through its public surface only: no internals are shared with it.</summary>
    [TestMethod]
    public void TuningSharesItsInternalsWithItsTestsOnly()
    {
        var friends = typeof(TuningRecord).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToList();
        CollectionAssert.AreEqual(new[] { "HilTuner.Tuning.Tests" }, friends);
    }
}
