// Pretraining one base model: the recipe's training loop (Trainer) on packed sequences of Wikipedia, the held-out
// loss at fixed points, and greedy continuations of a few Korean prompts at some of them.
import Foundation
import Book
import Plumbing
import Repro

/// Greedy continuations of the sample prompts at one point of training.
struct SamplePoint: JSONRecord {
    var step: Int
    var tokens: Int
    var continuations: [String]
    var json: JSON {
        JSON(["step": .number(Double(step)), "tokens_seen": .number(Double(tokens)), "continuations": .array(continuations.map { .string($0) })])
    }
    init(step: Int, tokens: Int, continuations: [String]) { self.step = step; self.tokens = tokens; self.continuations = continuations }
    init(json: JSON) throws(RecordProblem) {
        guard let list = json["continuations"]?.array?.compactMap(\.string) else { throw RecordProblem("missing continuations") }
        self.init(step: try json.int("step"), tokens: try json.int("tokens_seen"), continuations: list)
    }
}

/// The beginnings of Korean encyclopedia sentences the bases continue: the same list at every point, so a reader
/// sees the same sentences grow from noise into Korean.
let samplePrompts = ["대한민국의 수도는", "조선 시대에는", "한국어는", "이 영화는", "지구는 태양계의", "그는 1950년에", "축구는", "서울특별시에 있는"]

/// Tokens generated for each sample continuation.
let sampleTokens = 32

/// Everything pretraining reads: the tokenizer, the packed training sequences and the held-out stream.
struct PretrainingData {
    var tokenizer: BPETokenizer
    var sequences: PackedSequences
    var heldOut: TokenStream
    /// The first held-out articles: the held-out loss during training.
    var heldOutSample: TokenStream
    /// The distinct eojeol of the held-out articles: the reference of the real-word rate.
    var heldOutWords: Set<String>
    /// What token frequencies, and the previous token, predict of the held-out stream.
    var unigram: CrossEntropy
    var bigram: CrossEntropy
}

/// What pretraining one base gave.
struct BaseResult {
    var config: NeoXConfig
    var log: TrainingLog<HeldOutPoint>
    var heldOut: CrossEntropy
    var heldOutSample: CrossEntropy
    var samples: [SamplePoint]
    var realWords: RealWordRate
    /// The share of the continuations' eojeol that are not a repeat within their own continuation.
    var distinctWords: Double
    var directory: String                  // base/<model>, in Hugging Face layout

    var summary: Bases.Base {
        Bases.Base(model: config.name, parameters: config.parameterCount, steps: log.steps.count, tokensSeen: log.tokensSeen,
                   heldOut: LossRates(heldOut), heldOutSample: LossRates(heldOutSample), realWordRate: realWords.rate)
    }
}

/// Greedy continuations of every sample prompt (the prompt itself left out).
func continuations(_ model: GPTNeoX, tokenizer: BPETokenizer) throws -> [String] {
    let decoder = Decoder(model: model, vocabularyLimit: tokenizer.vocabularySize)
    return try samplePrompts.map { prompt in
        let generated = try decoder.generate(prompt: [tokenizer.endOfText] + tokenizer.encode(prompt), maxNewTokens: sampleTokens,
                                             stopTokens: [tokenizer.endOfText])
        return tokenizer.decode(generated.tokens)
    }
}

/// Pretrain `config` from random weights into `runs/<model>/` (logs, checkpoints, samples), then save it to
/// `base/<model>/` with its tokenizer.
func pretrain(_ config: NeoXConfig, data: PretrainingData, recipe: Recipe, learningRate: Double, tokens: Int,
              run: ChapterRun, resume: Bool, stopAfter: Int?) throws -> BaseResult? {
    let preset = run.preset.pretraining
    let model = GPTNeoX(config: config, seed: recipe.seed)
    let batches = PackedBatches(data.sequences, tokens: tokens, batchSize: recipe.batchSize,
                                microBatchSize: recipe.microBatchSize, seed: recipe.seed)
    let directory = run.path("runs/\(config.name)")
    let samplesFile = directory + "/samples.jsonl"
    // Samples are a function of the step in a deterministic run, so a resumed run keeps the ones it already has.
    var samples: [Int: SamplePoint] = [:]
    if resume, FileIO.exists(samplesFile) {
        for s in try JSONLines<SamplePoint>.read(from: samplesFile).records { samples[s.step] = s }
    }
    var recipe = recipe
    recipe.validateEvery = max(1, batches.totalSteps / max(preset.validations, 1))
    recipe.checkpointEvery = recipe.validateEvery * 3
    let sampleEvery = recipe.validateEvery * max(1, preset.validations / 4)
    let trainer = Trainer(model: model, recipe: recipe, peakLearningRate: learningRate, batches: batches,
                          directory: directory, name: config.name) { model, step in
        let seen = step * batches.tokensPerStep
        if step % sampleEvery == 0 || step == batches.totalSteps {
            samples[step] = SamplePoint(step: step, tokens: seen, continuations: try continuations(model, tokenizer: data.tokenizer))
            try FileIO.writeAtomically(samplesFile, text: Records.jsonLines(samples.keys.sorted().map { samples[$0]! }))
        }
        let heldOut = try crossEntropy(model, on: data.heldOutSample, contextLength: data.sequences.contextLength,
                                       microBatch: recipe.microBatchSize)
        return HeldOutPoint(step: step, tokens: seen, loss: heldOut.perToken)
    }
    if !resume { unlink(samplesFile) }
    let progress = Progress("\(config.name) pretraining", total: batches.totalSteps, unit: "steps")
    var last: Double?
    trainer.onStep = { record, point in
        if let point { last = point.loss }
        progress.update(record.step, note: "loss \(Format.fixed(Double(record.loss), 3))" + (last.map { " · held-out \(Format.fixed($0, 3))" } ?? ""))
    }
    let log = try trainer.run(resume: resume, stopAfter: stopAfter)
    for file in ["metrics.csv", "timing.csv", "samples.jsonl"] { run.recordOutput("runs/\(config.name)/\(file)") }
    run.recordOutput(Artifacts.heldOutCurve(config.name))
    guard log.finished else { return nil }
    let base = run.path(Artifacts.base(config.name).path)
    try Checkpoint.save(model, to: base)
    try run.write(Artifacts.base(config.name).path + "/tokenizer.json", bytes: data.tokenizer.bytes)
    run.recordOutput(Artifacts.base(config.name))
    // The last validation point is the final model's loss on the sample (the trainer validates after the last step);
    // every held-out article, once.
    let sample = CrossEntropy(nats: log.validation.last!.loss * Double(data.heldOutSample.targets), stream: data.heldOutSample)
    let final = try crossEntropy(model, on: data.heldOut, contextLength: data.sequences.contextLength, microBatch: recipe.microBatchSize)
    let finalSamples = samples[batches.totalSteps]?.continuations ?? []
    // Every continuation's eojeol together (joined by a newline, which separates words like a space).
    let words = Eojeol.realWordRate(of: finalSamples.joined(separator: "\n"), reference: data.heldOutWords)
    return BaseResult(config: config, log: log, heldOut: final, heldOutSample: sample, samples: samples.keys.sorted().map { samples[$0]! },
                      realWords: words, distinctWords: Eojeol.distinctShare(of: finalSamples), directory: base)
}
