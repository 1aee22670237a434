/// The paper's hardware and batch layout: 8 × A100-40GB, DeepSpeed ZeRO stage 3, 32 sequences per optimizer step.
/// Chapter 03 budgets memory and time with these numbers and chapter 04 writes them into the DeepSpeed configuration,
/// so the estimate and the configuration cannot disagree.
public enum PaperSetup {
    public static let gpus = 8
    public static let gpuMemoryGiB = 40.0
    /// A100 dense bf16 peak.
    public static let gpuPeakFLOPs = 312e12
    public static let microBatchPerGPU = 4
    public static let gradientAccumulation = 1
    public static var globalBatch: Int { gpus * microBatchPerGPU * gradientAccumulation }   // 32, the paper's
    public static let zeroStage = 3
    /// Sequence length the memory estimate assumes (KoAlpaca's records are short; 512 covers nearly all).
    public static let sequenceLength = 512
}
