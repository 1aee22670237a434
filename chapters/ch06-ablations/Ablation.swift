import ArgumentParser
import Repro
import Book
import Plumbing

// MARK: - The ablations: one change each, everything else as the baseline

/// One ablation: the question it answers, and the flags that make its run differ from the baseline. Every other
/// option — the scale, the data, the seed, the split, the tokenizer, the pretrained bases, the order of the batches —
/// is the baseline's, so whatever moves, moved because of the flag.
enum Ablation: String, CaseIterable, ExpressibleByArgument {
    /// Not an ablation of the recipe: the same run with another seed for the batch order, to show how far chance
    /// alone moves each number (the noise floor every other difference is read against).
    case seed
    /// Instruction tuning from random weights instead of the pretrained base: what pretraining is worth.
    case noPretraining = "no-pretraining"
    case promptMask = "prompt-mask"
    case repair
    case paperRates = "paper-rates"
    case sizes
    case eos
    case template

    var title: String {
        switch self {
        case .seed: return "The noise floor: another seed for the order of the batches"
        case .noPretraining: return "No pretraining: the same instruction tuning from random weights"
        case .promptMask: return "Prompt mask off: the loss also reads the template and the instruction"
        case .repair: return "Data repair off: the grammar records as the translator left them"
        case .paperRates: return "The paper's learning rates: does the lower one keep more of what pretraining built?"
        case .sizes: return "Model size: Polyglot-Ko's four shapes, scaled down, each pretrained alike"
        case .eos: return "No end-of-text token after the responses"
        case .template: return "The bilingual KoAlpaca template instead of the paper's Korean one"
        }
    }

    /// The one thing the variant changes, as the student would type it.
    var change: String {
        switch self {
        case .seed: return "\(Chapter.training.executable) --seed <seed + 1>"
        case .noPretraining: return "\(Chapter.training.executable) --no-pretraining"
        case .promptMask: return "\(Chapter.prompting.executable) --no-prompt-mask"
        case .repair: return "\(Chapter.dataRepair.executable) --no-repair"
        case .paperRates: return "\(Chapter.training.executable) --learning-rates \(Ablation.paperRateArguments)"
        case .sizes: return "\(Chapter.pretraining.executable) --models sweep; \(Chapter.training.executable) --models sweep"
        case .eos: return "\(Chapter.prompting.executable) --no-eos"
        case .template: return "\(Chapter.prompting.executable) --template bilingual"
        }
    }

    /// The cells the variant trains (the same ids as the baseline's, except for the sweep). One cell keeps an ablation
    /// to a few minutes: the small model at the high rate. The paper's rates are tried on the small pair: the large
    /// model's two cells would cost more than the rest of the ablations together, and the question is one of rates.
    var cells: [String] {
        switch self {
        case .paperRates: return ["small-high", "small-low"]
        case .sizes: return ["1.3b-high", "3.8b-high", "5.8b-high", "12.8b-high"]
        default: return ["small-high"]
        }
    }

    /// The chapters the variant's run goes through: the sizes ablation pretrains the sweep's shapes first; every
    /// other one fine-tunes the baseline's bases.
    var chapters: [Chapter] {
        (self == .sizes ? [.pretraining] : []) + [.dataRepair, .prompting, .training, .evaluation]
    }

    /// Extra arguments of each chapter in the variant's run. `baseline` is the baseline's artifacts folder. Every
    /// variant tokenizes with the baseline's tokenizer (the bases' own) and, unless it changes that, fine-tunes the
    /// baseline's bases; its chapter 05 scores only its cells (the bases' scores are the baseline's). `seed` is the baseline's; the seed ablation gives chapter
    /// 04 the next one (chapter 02's split, chapter 05's scored reviews and the bases stay the baseline's).
    func arguments(chapter: Chapter, baseline: String, seed: UInt64) -> [String] {
        let sameTokenizer = ["--tokenizer", baseline + "/" + Chapter.prompting.folder + "/" + Artifacts.tokenizer.path]
        let sameBases = self == .sizes ? [] : ["--pretrained-from", baseline]
        let someCells = ["--cells", cells.joined(separator: ",")]
        switch (self, chapter) {
        case (.sizes, .pretraining): return ["--models", "sweep"]
        case (.repair, .dataRepair): return ["--no-repair"]
        case (.promptMask, .prompting): return ["--no-prompt-mask"] + sameTokenizer
        case (.eos, .prompting): return ["--no-eos"] + sameTokenizer
        case (.template, .prompting): return ["--template", "bilingual"] + sameTokenizer
        case (_, .prompting): return sameTokenizer
        case (.seed, .training): return ["--seed", String(seed &+ 1)] + someCells + sameBases
        case (.noPretraining, .training): return ["--no-pretraining"] + someCells
        case (.paperRates, .training): return ["--learning-rates", Ablation.paperRateArguments] + someCells + sameBases
        case (.sizes, .training): return ["--models", "sweep"] + someCells
        case (_, .training): return someCells + sameBases
        // The bilingual template's summarization prompt does not fit the course's context (see the template section).
        case (.template, .evaluation): return ["--no-bases", "--no-summaries"]
        case (_, .evaluation): return ["--no-bases"]
        default: return []
        }
    }

    /// Arguments the baseline and every variant share, so that a changed option changes them all alike: chapter
    /// 02's record limit (without it, this chapter would rerun a baseline made with more records at the default).
    static func shared(chapter: Chapter, trainingRecords: Int?) -> [String] {
        guard chapter == .prompting, let trainingRecords else { return [] }
        return ["--training-records", String(trainingRecords)]
    }

    /// The ablations a run without `--only` does. At the course scale all but two, to keep the book within its hour
    /// on two cores: `sizes` pretrains four more bases before it tunes them (about 20 minutes), and `template` costs
    /// about 3 more (`--only sizes,template` runs them; `--only all` runs everything). Every other scale runs them all.
    static func byDefault(at scale: Scale) -> [Ablation] {
        scale == .course ? allCases.filter { $0 != .sizes && $0 != .template } : allCases
    }

    /// The paper's two rates as `--learning-rates` takes them.
    static var paperRateArguments: String { Format.scientific(Paper.learningRates.high, 0) + "," + Format.scientific(Paper.learningRates.low, 0) }

    /// The baseline's cells shown beside the variant's: the same cells, except for the sweep, whose four sizes are
    /// compared with each other and with the course pair at the same rate.
    var baselineCells: [String] {
        self == .sizes ? ["small-high", "large-high"] : cells
    }
}
