using Google.Protobuf;
using HilTuner.Onnx.Proto;

namespace HilTuner.Onnx;

/// <summary>
/// Cuts a model down to some of its outputs before OnnxRuntime sees it: the other outputs, and every node, value and
/// initializer only they need, are removed, so a caller that reads one head pays for one head.
/// </summary>
internal static class OnnxGraphPruner
{
    public static byte[] KeepOutputs(byte[] model, IReadOnlyCollection<string> outputs)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        var kept = graph.Output.Where(o => outputs.Contains(o.Name)).ToList();
        if (kept.Count == graph.Output.Count)
        {
            return model;
        }

        var (nodes, needed) = NodesComputing(graph, kept.Select(o => o.Name));
        var pruned = graph.Clone();
        pruned.Output.Clear();
        pruned.Output.AddRange(kept);
        pruned.Node.Clear();
        pruned.Node.AddRange(nodes);
        var initializers = graph.Initializer.Where(t => needed.Contains(t.Name)).ToList();
        pruned.Initializer.Clear();
        pruned.Initializer.AddRange(initializers);
        var valueInfo = graph.ValueInfo.Where(v => needed.Contains(v.Name)).ToList();
        pruned.ValueInfo.Clear();
        pruned.ValueInfo.AddRange(valueInfo);
        var copy = proto.Clone();
        copy.Graph = pruned;
        return copy.ToByteArray();
    }

    /// <summary>
    /// The nodes <paramref name="outputs"/> are computed from, in the graph's order, and every value name they need
    /// (the outputs, the nodes' inputs and outputs among them).
    /// </summary>
    public static (List<NodeProto> Nodes, HashSet<string> Needed) NodesComputing(GraphProto graph, IEnumerable<string> outputs)
    {
        // Walk back from the outputs to everything they are computed from.
        var needed = new HashSet<string>(outputs, StringComparer.Ordinal);
        var nodes = new List<NodeProto>();
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (node.Output.Any(needed.Contains))
            {
                nodes.Add(node);
                foreach (var input in node.Input)
                {
                    needed.Add(input);
                }
            }
        }

        nodes.Reverse();
        return (nodes, needed);
    }
}
