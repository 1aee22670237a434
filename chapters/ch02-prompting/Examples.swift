import Repro
import Tensor
import Plumbing

// MARK: - From a record to a training example

enum ExampleOutcome: Equatable {
    /// The example, and whether its response was cut at the context's end.
    case kept(TrainingExample, truncated: Bool)
    /// The prompt alone leaves no room for a single response token in the context.
    case dropped(promptTokens: Int)
}

struct ExampleOptions {
    var template: PromptTemplate = .korean
    var contextLength: Int
    /// Mask the prompt from the loss (the paper's recipe). Off for the ablation: every position is a label.
    var maskPrompt = true
    /// Append the end-of-text token to the response (without it, models never learn to stop).
    var appendEndOfText = true
}

/// prompt + "\n" | response | EOS, with the prompt side masked. The two sides are tokenized separately so the
/// boundary between them is exact: the first label is the first token of the response itself (a mask that is one
/// token too long would swallow it — a known pitfall of instruction-tuning code).
func makeExample(_ record: InstructionRecord, index: Int, tokenizer: BPETokenizer, options: ExampleOptions) -> ExampleOutcome {
    let prompt = tokenizer.encode(options.template.promptForGeneration(instruction: record.instruction, input: record.input))
    var response = tokenizer.encode(record.output)
    if options.appendEndOfText { response.append(tokenizer.endOfText) }
    if prompt.count >= options.contextLength { return .dropped(promptTokens: prompt.count) }
    // Too long: keep the prompt whole and cut the response from its end (losing its EOS, as any truncation does).
    let room = options.contextLength - prompt.count
    let truncated = response.count > room
    if truncated { response.removeLast(response.count - room) }
    let ids = prompt + response
    let labels = (options.maskPrompt ? Array(repeating: ignoreIndex, count: prompt.count) : prompt) + response
    return .kept(TrainingExample(record: index, inputIDs: ids, labels: labels, promptTokens: prompt.count), truncated: truncated)
}

// MARK: - Train / validation split

/// A fixed, seeded split: shuffle the record indices with the seed, hold out the first `validation`, and train on
/// (at most `maxTraining` of) the rest, each list back in file order.
func split(count: Int, validation: Int, maxTraining: Int?, seed: UInt64) -> (training: [Int], validation: [Int]) {
    var order = Array(0..<count)
    var rng = SeededRandom(seed: seed)
    rng.shuffle(&order)
    let held = min(validation, count)
    var training = Array(order[held...])
    if let maxTraining, training.count > maxTraining { training = Array(training.prefix(maxTraining)) }
    return (training.sorted(), Array(order[..<held]).sorted())
}

/// Hangul syllables (가–힣) in a text: the unit for "tokens per syllable".
func hangulSyllables(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { $0 + ((0xAC00...0xD7A3).contains($1.value) ? 1 : 0) }
}
