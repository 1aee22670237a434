import Repro
import Plumbing
import Book

// The arithmetic behind chapter 03, kept apart from its narration so tests can check every number.

/// The closed form of the GPT-NeoX count, as a cross-check of the layout-derived one:
/// embedding + output (2·V·d), per layer 12·d² + 13·d (with d_ff = 4d), final LayerNorm 2·d.
func closedFormParameterCount(_ c: NeoXConfig) -> Int {
    let d = c.hiddenSize, v = c.vocabSize, ff = c.intermediateSize
    let perLayer = (3 * d * d + 3 * d) + (d * d + d) + (ff * d + ff) + (d * ff + d) + 4 * d
    return 2 * v * d + c.numLayers * perLayer + 2 * d
}

/// Ways a difference between a printed count and the architecture's could be made of whole pieces of the model.
/// Each line says what it would take; none is asserted to be the cause.
func explainDifference(_ difference: Int, config c: NeoXConfig) -> [String] {
    let d = c.hiddenSize
    let layer = closedFormParameterCount(c) - closedFormParameterCount(NeoXConfig(
        name: c.name, vocabSize: c.vocabSize, hiddenSize: d, numLayers: c.numLayers - 1, numHeads: c.numHeads,
        intermediateSize: c.intermediateSize, rotaryPct: c.rotaryPct, maxPositions: c.maxPositions))
    var lines: [String] = []
    if difference % d == 0 {
        let rows = difference / d
        lines.append("It is exactly \(Format.count(rows)) × d (d = \(Format.count(d))): \(Format.count(rows)) more rows of width d. "
            + "That is what a vocabulary of \(Format.count(c.vocabSize + rows)) would add to *one* of the two V×d matrices"
            + (rows % 2 == 0 ? ", or a vocabulary of \(Format.count(c.vocabSize + rows / 2)) to both (embedding and output)." : "."))
    } else {
        lines.append("It is not a whole number of rows of width d = \(d) (remainder \(difference % d)).")
    }
    lines.append("It is \(Format.fixed(Double(difference) / Double(layer), 4)) of one transformer layer (\(Format.count(layer)) parameters), so not a missing or extra layer.")
    lines.append("It is \(Format.fixed(Double(difference) / Double(2 * d), 1)) LayerNorms (2·d each), and \(Format.fixed(Double(difference) / Double(c.maxPositions * d), 3)) of a learned \(c.maxPositions)-position embedding (GPT-NeoX has none: it uses rotary).")
    return lines
}

/// Memory and compute of the paper's training run for one model.
struct TrainingBudget {
    let parameters: Double
    let gpus = Double(Paper.gpus)
    let gpuMemoryGiB = Paper.gpuMemoryGiB
    let gpuPeakFLOPs = PaperSetup.gpuPeakFLOPs      // A100 dense bf16
    let utilisation: Double                    // fraction of peak a real run reaches
    let tokens: Double                         // tokens processed over all epochs

    /// fp32 training: weights, gradients, AdamW m and v — 4 + 4 + 8 = 16 bytes per parameter.
    var fp32Bytes: Double { 16 * parameters }
    /// Mixed precision (ZeRO paper's accounting): bf16 weights and gradients (2 + 2) + fp32 master weights, m, v (12).
    var mixedBytes: Double { 16 * parameters }
    /// The same states partitioned over all GPUs by ZeRO stage 3: each GPU holds 1/8 of everything.
    var zero3BytesPerGPU: Double { mixedBytes / gpus }
    /// Weights alone in bf16, as needed to run (evaluate) the model.
    var inferenceBytes: Double { 2 * parameters }
    /// 6·N·tokens: forward (2·N) and backward (4·N) per token; attention adds a few percent at these lengths.
    var trainingFLOPs: Double { 6 * parameters * tokens }
    var gpuHours: Double { trainingFLOPs / (gpuPeakFLOPs * utilisation) / 3600 }
    var wallHours: Double { gpuHours / gpus }
}

/// Activation memory per GPU with activation (gradient) checkpointing at every layer: each layer keeps its bf16 input
/// (2·s·b·d bytes), and one layer at a time is recomputed with its full activations, about s·b·d·34 + 5·a·s²·b bytes
/// (Korthikanti et al. 2022, for bf16 with attention scores materialised).
func checkpointedActivationBytes(_ c: NeoXConfig, sequence s: Double, microBatch b: Double) -> Double {
    let d = Double(c.hiddenSize), a = Double(c.numHeads), layers = Double(c.numLayers)
    return 2 * s * b * d * layers + (s * b * d * 34 + 5 * a * s * s * b)
}
