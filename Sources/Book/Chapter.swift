/// The chapters of the book, in reading order. Every chapter, script and test names a chapter through this enum;
/// nothing spells a chapter's folder or executable by hand.
public enum Chapter: Int, CaseIterable, Sendable {
    case dataRepair = 1
    case prompting
    case modelConfig
    case training
    case evaluation
    case ablations

    public var number: Int { rawValue }

    public var slug: String {
        switch self {
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
        case .dataRepair: return "The data: KoAlpaca v1.0 and its grammar records"
        case .prompting: return "Prompts, tokens and the loss mask"
        case .modelConfig: return "The models: configuration, size and cost"
        case .training: return "Fine-tuning: the recipe and the grid"
        case .evaluation: return "Evaluation: ROUGE, NSMC, and Table 4"
        case .ablations: return "Ablations: one change at a time"
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
