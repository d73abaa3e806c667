namespace HilTuner.Vta.Config;

/// <summary>Which VTA hardware implementation a board runs; they differ in limits and register maps.</summary>
public enum HardwareBuild
{
    /// <summary>The Vivado HLS design (<c>hardware/xilinx</c>): PYNQ, Ultra96, ZCU104.</summary>
    Hls,

    /// <summary>The Chisel design (<c>hardware/chisel</c>): DE10-Nano and tsim.</summary>
    Chisel,
}
