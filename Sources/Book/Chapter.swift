/// The chapters of the book, in reading order. Every chapter, script and test names a chapter through this enum;
/// nothing spells a chapter's folder or executable by hand.
public enum Chapter: Int, CaseIterable, Sendable {
    case pretraining = 0
    case dataRepair
    case prompting
    case modelConfig
    case training
    case evaluation
    case ablations

    public var number: Int { rawValue }

    public var slug: String {
        switch self {
        case .pretraining: return "pretraining"
        case .dataRepair: return "data-repair"
        case .prompting: return "prompting"
        case .modelConfig: return "model-config"
        case .training: return "training"
        case .evaluation: return "evaluation"
        case .ablations: return "ablations"
        }
    }

    public var title: String {
        switch self {
        case .pretraining: return "Pretraining: the base models the paper took off the shelf"
        case .dataRepair: return "The data: KoAlpaca v1.0 and its grammar records"
        case .prompting: return "Prompts, tokens and the loss mask"
        case .modelConfig: return "The models: configuration, size and cost"
        case .training: return "Fine-tuning: the recipe and the grid"
        case .evaluation: return "Evaluation: ROUGE, NSMC, and Table 4"
        case .ablations: return "Ablations: one change at a time"
        }
    }

    /// What the chapter does, in one line: its `--help` abstract.
    public var abstract: String {
        switch self {
        case .pretraining: return "Pretrain the course's base models on Korean Wikipedia: the corpus, its tokenizer, baselines, and the held-out loss."
        case .dataRepair: return "KoAlpaca v1.0: check every record, find and classify the grammar records, repair the broken ones."
        case .prompting: return "Templates, a byte-level BPE tokenizer, and masked training examples from chapter 01's records."
        case .modelConfig: return "Polyglot-Ko configurations, parameter counts (Table 2), the training budget, and the course models."
        case .training: return "Fine-tune the grid of model sizes × learning rates on chapter 02's examples."
        case .evaluation: return "ROUGE on news summaries and one-shot NSMC accuracy for every model of chapter 04; Table 4 beside the paper's."
        case .ablations: return "Run one-flag ablations of the recipe (each a full chapter 01–05 run in its own folder) and compare them with the baseline."
        }
    }

    /// "01", the number as folders and headings write it.
    public var paddedNumber: String { (number < 10 ? "0" : "") + String(number) }
    /// The chapter's folder under `--out`: "01-data-repair".
    public var folder: String { paddedNumber + "-" + slug }
    /// The executable: "ch01-data-repair".
    public var executable: String { "ch" + folder }
    /// The notebook's title: "Chapter 01 — The data: …".
    public var heading: String { "Chapter \(paddedNumber) — \(title)" }
}
