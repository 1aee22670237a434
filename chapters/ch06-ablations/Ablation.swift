import ArgumentParser
import Repro
import Book
import Plumbing

// MARK: - The six ablations: one change each, everything else as the baseline

/// One ablation: the question it answers, and the flags that make its run differ from the baseline. Every other
/// option — the scale, the data, the seed, the split, the tokenizer, the initial weights, the order of the batches —
/// is the baseline's, so whatever moves, moved because of the flag.
enum Ablation: String, CaseIterable, ExpressibleByArgument {
    /// Not an ablation of the recipe: the same run with another seed for the weights and the batch order, to show how
    /// far chance alone moves each number (the noise floor every other difference is read against).
    case seed
    case promptMask = "prompt-mask"
    case repair
    case paperRates = "paper-rates"
    case sizes
    case eos
    case template

    var title: String {
        switch self {
        case .seed: return "The noise floor: another seed for the initial weights and the batch order"
        case .promptMask: return "Prompt mask off: the loss also reads the template and the instruction"
        case .repair: return "Data repair off: the grammar records as the translator left them"
        case .paperRates: return "The paper's learning rates on models trained from scratch"
        case .sizes: return "Model size: Polyglot-Ko's four shapes, scaled down"
        case .eos: return "No end-of-text token after the responses"
        case .template: return "The bilingual KoAlpaca template instead of the paper's Korean one"
        }
    }

    /// The one thing the variant changes, as the student would type it.
    var change: String {
        switch self {
        case .seed: return "\(Chapter.training.executable) --seed <seed + 1>"
        case .promptMask: return "\(Chapter.prompting.executable) --no-prompt-mask"
        case .repair: return "\(Chapter.dataRepair.executable) --no-repair"
        case .paperRates: return "\(Chapter.training.executable) --learning-rates \(Ablation.paperRateArguments)"
        case .sizes: return "\(Chapter.training.executable) --models sweep"
        case .eos: return "\(Chapter.prompting.executable) --no-eos"
        case .template: return "\(Chapter.prompting.executable) --template bilingual"
        }
    }

    /// The cells the variant trains (the same ids as the baseline's, except for the sweep). One cell keeps an ablation
    /// to a few minutes: the small model at the high rate, the one that learns most per second.
    var cells: [String] {
        switch self {
        case .paperRates: return ["small-high", "small-low", "large-high", "large-low"]
        case .sizes: return ["1.3b-high", "3.8b-high", "5.8b-high", "12.8b-high"]
        default: return ["small-high"]
        }
    }

    /// Extra arguments of each chapter in the variant's run. `baseline` is the baseline's artifacts folder: a variant
    /// that changes the data or the loss loads the baseline's tokenizer, so the tokenizer does not change with it. The
    /// template variant trains its own: our small tokenizer, trained on Korean-template text, cuts the bilingual
    /// template's English headers into single bytes (168 tokens for the summarization prompt, more than the course's
    /// context leaves), where a real one — Polyglot-Ko's, trained on text with English in it — would not.
    /// `seed` is the baseline's; the seed ablation gives chapter 04 the next one (chapter 02's split and chapter 05's
    /// scored reviews stay the baseline's).
    func arguments(chapter: Chapter, baseline: String, seed: UInt64) -> [String] {
        let sameTokenizer = ["--tokenizer", baseline + "/" + Chapter.prompting.folder + "/" + Artifacts.tokenizer.path]
        switch (self, chapter) {
        case (.repair, .dataRepair): return ["--no-repair"]
        case (.promptMask, .prompting): return ["--no-prompt-mask"] + sameTokenizer
        case (.eos, .prompting): return ["--no-eos"] + sameTokenizer
        case (.template, .prompting): return ["--template", "bilingual"]
        case (.repair, .prompting): return sameTokenizer
        case (.seed, .training): return ["--seed", String(seed &+ 1), "--cells", cells.joined(separator: ",")]
        case (.paperRates, .training): return ["--learning-rates", Ablation.paperRateArguments]
        case (.sizes, .training): return ["--models", "sweep", "--cells", cells.joined(separator: ",")]
        case (_, .training): return ["--cells", cells.joined(separator: ",")]
        default: return []
        }
    }

    /// The paper's two rates as `--learning-rates` takes them.
    static var paperRateArguments: String { Format.scientific(Paper.learningRates.high, 0) + "," + Format.scientific(Paper.learningRates.low, 0) }

    /// The baseline's cells shown beside the variant's: the same cells, except for the sweep, whose four sizes are
    /// compared with each other and with the course pair at the same rate.
    var baselineCells: [String] {
        self == .sizes ? ["small-high", "large-high"] : cells
    }
}
