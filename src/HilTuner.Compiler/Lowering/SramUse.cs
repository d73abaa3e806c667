namespace HilTuner.Compiler.Lowering;

/// <summary>Fractions of each SRAM buffer a schedule occupies, and the micro-ops it stores.</summary>
internal readonly record struct SramUse(double Inp, double Wgt, double Acc, double Uop, int UopWords);
