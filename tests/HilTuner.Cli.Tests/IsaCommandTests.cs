using System.Text.Json;

namespace HilTuner.Cli.Tests;

[TestClass]
public sealed class IsaCommandTests
{
    private const string Program = """
        {"kind": "mem", "fields": {"opcode": 0, "memory_type": 2, "sram_base": 1, "dram_base": 1, "y_size": 1, "x_size": 2, "x_stride": 3, "y_pad_0": 1, "x_pad_1": 15, "push_next_dep": 1}}
        {"kind": "gemm", "fields": {"uop_bgn": 0, "uop_end": 16, "iter_out": 4, "iter_in": 14, "dst_factor_out": 16, "dst_factor_in": 1, "src_factor_out": 16, "src_factor_in": 1, "pop_prev_dep": 1}}
        {"kind": "alu", "fields": {"alu_opcode": 3, "use_imm": 1, "imm": -8, "uop_bgn": 16, "uop_end": 17, "iter_out": 1, "iter_in": 1}}
        {"kind": "finish", "fields": {}}
        {"kind": "uop", "fields": {"dst_idx": 5, "src_idx": 6, "wgt_idx": 7}}
        """;

    [TestMethod]
    public void EncodePrintsOneHexLinePerInputAndDecodeGivesTheFieldsBack()
    {
        var (exit, output, error) = Cli.Run(Program, "isa", "encode");
        Assert.AreEqual(0, exit, error);
        var hex = Cli.Lines(output).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("hex").GetString()!).ToArray();
        Assert.AreEqual(5, hex.Length);
        Assert.AreEqual("f0010003000200010000000004000540", hex[0]);
        Assert.AreEqual("00000000000000000000000000000003", hex[3]);
        Assert.AreEqual(8, hex[4].Length);
        Assert.AreEqual(((7u << 22) | (6u << 11) | 5u).ToString("x8", System.Globalization.CultureInfo.InvariantCulture), hex[4]);

        var (decodeExit, decoded, _) = Cli.Run(string.Join("\n", hex), "isa", "decode");
        Assert.AreEqual(0, decodeExit);
        var lines = Cli.Lines(decoded).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.AreEqual("mem", lines[0].GetProperty("kind").GetString());
        Assert.AreEqual(15, lines[0].GetProperty("fields").GetProperty("x_pad_1").GetInt64());
        Assert.AreEqual(-8, lines[2].GetProperty("fields").GetProperty("imm").GetInt64());
        Assert.AreEqual("finish", lines[3].GetProperty("kind").GetString());
        Assert.AreEqual(6, lines[4].GetProperty("fields").GetProperty("src_idx").GetInt64());

        var inputs = Cli.Lines(Program).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            foreach (var field in inputs[i].GetProperty("fields").EnumerateObject())
            {
                Assert.AreEqual(field.Value.GetInt64(), lines[i].GetProperty("fields").GetProperty(field.Name).GetInt64(), $"line {i + 1}: {field.Name}");
            }
        }
    }

    /// <summary>A line that cannot be encoded is bad input: one line on stderr naming it, exit code 2; the lines before it come out.</summary>
    [TestMethod]
    [DataRow("{\"kind\": \"gemm\", \"fields\": {\"iter_out\": 16384}}", "iter_out = 16384 does not fit its 14-bit unsigned field (range 0 to 16383)")]
    [DataRow("{\"kind\": \"alu\", \"fields\": {\"imm\": -40000}}", "imm = -40000 does not fit its 16-bit signed field (range -32768 to 32767)")]
    [DataRow("{\"kind\": \"mem\", \"fields\": {\"bogus\": 1}}", "\"bogus\" is not a field of a mem instruction")]
    [DataRow("{\"kind\": \"mem\"", "")]
    public void ALineThatCannotBeEncodedIsNamedOnStderrWithExitCode2(string bad, string message)
    {
        var input = string.Join('\n', "{\"kind\": \"finish\", \"fields\": {}}", bad, "{\"kind\": \"uop\", \"fields\": {\"wgt_idx\": 1023}}");
        var (exit, output, error) = Cli.Run(input, "isa", "encode");
        Assert.AreEqual(2, exit, error);
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.StartsWith(error, $"hiltuner: stdin line 2: {message}");
        Assert.AreEqual("{\"hex\":\"00000000000000000000000000000003\"}\n", output, "the line before it is encoded, none after");
    }

    [TestMethod]
    public void FieldWidthsFollowTheBoardsConfiguration()
    {
        var board = Path.Combine(Path.GetTempPath(), $"hiltuner-small-{Guid.NewGuid():N}.json");
        File.WriteAllText(board, File.ReadAllText(Cli.Board("sim.json")).Replace("\"LOG_ACC_BUFF_SIZE\": 17", "\"LOG_ACC_BUFF_SIZE\": 16"));
        try
        {
            var input = """{"kind": "gemm", "fields": {"dst_factor_out": 1024}}""";
            Assert.AreEqual(0, Cli.Run(input, "isa", "encode").Exit, "11-bit accumulator index on PYNQ");
            var (exit, _, error) = Cli.Run(input, "isa", "encode", "--board", board);
            Assert.AreEqual(2, exit);
            StringAssert.Contains(error, "stdin line 1: dst_factor_out = 1024 does not fit its 10-bit unsigned field");
        }
        finally
        {
            File.Delete(board);
        }
    }

    [TestMethod]
    public void DecodeReportsUndefinedOpcodesAndMalformedLines()
    {
        var (exit, output, error) = Cli.Run("00000000000000000000000000000045\nxyz\n", "isa", "decode");
        Assert.AreEqual(2, exit);
        var lines = Cli.Lines(output).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.HasCount(1, lines);
        Assert.AreEqual("undefined", lines[0].GetProperty("kind").GetString());
        Assert.AreEqual(5, lines[0].GetProperty("fields").GetProperty("opcode").GetInt64());
        Assert.AreEqual(1, lines[0].GetProperty("fields").GetProperty("push_next_dep").GetInt64());
        Assert.HasCount(1, Cli.Lines(error), error);
        StringAssert.StartsWith(error, "hiltuner: stdin line 2: ");
        StringAssert.Contains(error, "(an instruction is 32 hex digits, a micro-op 8)");
    }

    /// <summary><c>isa encode | isa decode</c>: decode reads encode's lines; a line that is not one stops it, named on stderr.</summary>
    [TestMethod]
    public void DecodeReadsEncodesOutputAsAPipe()
    {
        var (_, encoded, _) = Cli.Run(Program, "isa", "encode");
        var (exit, decoded, error) = Cli.Run(encoded, "isa", "decode");
        Assert.AreEqual(0, exit, error);
        var lines = Cli.Lines(decoded).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.AreEqual(5, lines.Length);
        Assert.AreEqual("mem", lines[0].GetProperty("kind").GetString());
        Assert.AreEqual(15, lines[0].GetProperty("fields").GetProperty("x_pad_1").GetInt64());
        Assert.AreEqual("uop", lines[4].GetProperty("kind").GetString());
        Assert.AreEqual(7, lines[4].GetProperty("fields").GetProperty("wgt_idx").GetInt64());

        var (errorExit, piped, pipeError) = Cli.Run(encoded + "{\"nothing\": 1}\n", "isa", "decode");
        Assert.AreEqual(2, errorExit);
        Assert.HasCount(5, Cli.Lines(piped), "the lines before the bad one are decoded");
        Assert.HasCount(1, Cli.Lines(pipeError), pipeError);
        StringAssert.StartsWith(pipeError, "hiltuner: stdin line 6: a JSON line must be {\"hex\": \"…\"} as `isa encode` prints it");
    }

    /// <summary><c>sim run --dump-program FILE</c> writes what a configuration runs, in a form <c>isa dis</c> reads; never over a file.</summary>
    [TestMethod]
    public void SimRunDumpsTheProgramForIsaDis()
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-dump-program-");
        try
        {
            var file = Path.Combine(dir.FullName, "c11-241.hex");
            var (exit, output, error) = Cli.Run(string.Empty, "sim", "run", "--workload", "resnet18.C11", "--index", "241", "--dump-program", file);
            Assert.AreEqual(0, exit, error);
            var instructions = JsonDocument.Parse(output).RootElement.GetProperty("features").GetProperty("insn_total").GetDouble();
            StringAssert.StartsWith(File.ReadAllLines(file)[0], "# resnet18.C11 #241 ");

            var (disExit, listing, disError) = Cli.Run(string.Empty, "isa", "dis", file);
            Assert.AreEqual(0, disExit, disError);
            var lines = Cli.Lines(listing);
            Assert.AreEqual(instructions, lines.Length);
            StringAssert.Contains(lines[0], "LOAD");
            Assert.AreEqual($"{lines.Length - 1}  compute  FINISH", lines[^1]);

            var before = File.ReadAllText(file);
            var (againExit, _, againError) = Cli.Run(string.Empty, "sim", "run", "--workload", "resnet18.C11", "--index", "0", "--dump-program", file);
            Assert.AreEqual(2, againExit, againError);
            Assert.HasCount(1, Cli.Lines(againError), againError);
            StringAssert.Contains(againError, $"--dump-program: {file} already exists");
            Assert.AreEqual(before, File.ReadAllText(file));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void DisassemblesJsonHexAndBinaryProgramsAlike()
    {
        var dir = Directory.CreateTempSubdirectory("hiltuner-dis-");
        try
        {
            var json = Path.Combine(dir.FullName, "program.jsonl");
            File.WriteAllText(json, string.Join("\n", Cli.Lines(Program).Take(4)));
            var (exit, fromJson, error) = Cli.Run(string.Empty, "isa", "dis", json);
            Assert.AreEqual(0, exit, error);
            var lines = Cli.Lines(fromJson);
            Assert.AreEqual(4, lines.Length);
            Assert.AreEqual("0  load     LOAD  INP  sram 1 ← dram 0x1  1×2 stride 3  pad y(1,0) x(0,15)  [push l2g]", lines[0]);
            StringAssert.StartsWith(lines[1], "1  compute  GEMM  uop [0,16)  iter 4×14");
            StringAssert.StartsWith(lines[2], "2  compute  ALU   SHR imm -8");
            Assert.AreEqual("3  compute  FINISH", lines[3]);

            var hex = Cli.Lines(Cli.Run(string.Join("\n", Cli.Lines(Program).Take(4)), "isa", "encode").Out);
            var hexFile = Path.Combine(dir.FullName, "program.hex");
            File.WriteAllLines(hexFile, hex);
            Assert.AreEqual(fromJson, Cli.Run(string.Empty, "isa", "dis", hexFile).Out);

            var binary = Path.Combine(dir.FullName, "program.bin");
            File.WriteAllBytes(binary, hex.SelectMany(l =>
            {
                var word = HilTuner.Vta.Isa.InstructionWord.ParseHex(JsonDocument.Parse(l).RootElement.GetProperty("hex").GetString()!);
                var bytes = new byte[16];
                word.WriteTo(bytes);
                return bytes;
            }).ToArray());
            Assert.AreEqual(fromJson, Cli.Run(string.Empty, "isa", "dis", binary).Out);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void BadInputIsOneLineAndExitCodeTwo()
    {
        var (exit, _, error) = Cli.Run(string.Empty, "isa", "dis", "/nonexistent/program.bin");
        Assert.AreEqual(2, exit);
        StringAssert.StartsWith(error, "hiltuner: /nonexistent/program.bin: cannot be read");

        var (boardExit, _, boardError) = Cli.Run(string.Empty, "isa", "encode", "--board", "/nonexistent/board.json");
        Assert.AreEqual(2, boardExit);
        StringAssert.StartsWith(boardError, "hiltuner: /nonexistent/board.json: cannot be read");

        var (optionExit, _, optionError) = Cli.Run(string.Empty, "isa", "encode", "--bogus");
        Assert.AreEqual(2, optionExit);
        StringAssert.Contains(optionError, "--bogus");
    }
}
