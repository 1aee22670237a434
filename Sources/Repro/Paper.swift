// Every fact of the paper that the code uses, written once: the data, the models (Table 2), the recipe, the hardware,
// the prompts, and Table 4. Presets, chapters and tests derive what they need from here; a number of the paper's that
// appears anywhere else is a bug.
//
// The paper: "Self-Instruct 데이터셋을 활용한 언어 모델 변화에 따른 한국어 지시학습 성능 비교" (KCC 2023).

public enum Paper {
    // MARK: The data

    /// Records of KoAlpaca v1.0 (Beomi/KoAlpaca `ko_alpaca_data.json`), the paper's training set.
    public static let koalpacaRecords = 49_620
    /// Grammar records the authors repaired, found by the keywords 오류, 교정, 문법 (chapter 01's `GrammarKeyword`).
    public static let repairedRecords = 82

    // MARK: The models (Table 2)

    /// Table 2's parameter counts as printed (the configs are below, as `NeoXConfig.polyglotKo*`).
    public static let parameterCounts: [String: Int] = [
        "polyglot-ko-1.3b": 1_331_810_304,
        "polyglot-ko-3.8b": 3_809_974_272,
        "polyglot-ko-5.8b": 5_885_059_072,
        "polyglot-ko-12.8b": 12_898_631_680,
    ]

    // MARK: The recipe

    /// Full fine-tuning with AdamW, a cosine schedule with linear warmup, and gradient clipping.
    public static let epochs = 3
    public static let batchSize = 32
    public static let warmupRatio = 0.06
    public static let gradientClip = 1.0
    /// The two learning rates of Table 4.
    public static let learningRates = (high: 5e-5, low: 7e-6)
    /// high : low, about 7.1 : 1 — the course keeps this ratio at its own rates.
    public static var learningRateRatio: Double { learningRates.high / learningRates.low }

    // MARK: The hardware

    /// 8 × A100-40GB with DeepSpeed ZeRO stage 3.
    public static let gpus = 8
    public static let gpuMemoryGiB = 40.0
    public static let zeroStage = 3

    // MARK: The prompts

    /// KoAlpaca's Korean templates, which the paper uses: with an input, and without.
    public static let templateWithInput = "아래는 작업을 설명하는 명령어와 추가적 맥락을 제공하는 입력이 짝을 이루는 예제입니다.\n\n요청을 적절히 완료하는 응답을 작성하세요.\n\n### 명령어:\n{instruction}\n\n### 입력:\n{input}\n\n### 응답:"
    public static let templateWithoutInput = "아래는 작업을 설명하는 명령어입니다.\n\n명령어에 따른 요청을 적절히 완료하는 응답을 작성하세요.\n\n### 명령어:\n{instruction}\n\n### 응답:"
    /// Evaluation prompts: `주어진 기사를 요약하세요 기사: (문서)` and `문장의 긍정, 부정을 분류하세요. (문장) 정답: (감정)`.
    public static let summaryInstruction = "주어진 기사를 요약하세요"
    public static let summaryArticleLabel = "기사: "
    public static let sentimentInstruction = "문장의 긍정, 부정을 분류하세요."
    public static let sentimentAnswerLabel = "정답:"
    public static let sentimentWords = (positive: "긍정", negative: "부정")

    // MARK: Table 4

    /// A row of Table 4: ROUGE-1, ROUGE-L and NSMC accuracy (%) of one model at one learning rate.
    public struct Table4Row: Sendable {
        public var model: String
        public var learningRate: Double
        public var rouge1: Double
        public var rougeL: Double
        public var nsmc: Double
    }

    public static let table4: [Table4Row] = [
        Table4Row(model: "Polyglot-5.8b", learningRate: learningRates.high, rouge1: 0.10, rougeL: 0.08, nsmc: 38.1),
        Table4Row(model: "Polyglot-5.8b", learningRate: learningRates.low, rouge1: 0.16, rougeL: 0.12, nsmc: 38.1),
        Table4Row(model: "Polyglot-12.8b", learningRate: learningRates.high, rouge1: 0.10, rougeL: 0.08, nsmc: 54.8),
        Table4Row(model: "Polyglot-12.8b", learningRate: learningRates.low, rouge1: 0.15, rougeL: 0.12, nsmc: 64.1),
    ]
}

// MARK: - The published configurations of the paper's models

extension NeoXConfig {
    /// EleutherAI/polyglot-ko-*: the published config.json values. Rotary covers 64 dimensions of every head.
    public static let polyglotKo1_3B = NeoXConfig(name: "polyglot-ko-1.3b", vocabSize: 30_080, hiddenSize: 2048,
                                                   numLayers: 24, numHeads: 16, rotaryPct: 0.5, maxPositions: 2048)
    public static let polyglotKo3_8B = NeoXConfig(name: "polyglot-ko-3.8b", vocabSize: 30_080, hiddenSize: 3072,
                                                   numLayers: 32, numHeads: 24, rotaryPct: 0.5, maxPositions: 2048)
    public static let polyglotKo5_8B = NeoXConfig(name: "polyglot-ko-5.8b", vocabSize: 30_080, hiddenSize: 4096,
                                                   numLayers: 28, numHeads: 16, rotaryPct: 0.25, maxPositions: 2048)
    public static let polyglotKo12_8B = NeoXConfig(name: "polyglot-ko-12.8b", vocabSize: 30_080, hiddenSize: 5120,
                                                    numLayers: 40, numHeads: 40, rotaryPct: 0.5, maxPositions: 2048)
    public static let polyglotKo: [NeoXConfig] = [polyglotKo1_3B, polyglotKo3_8B, polyglotKo5_8B, polyglotKo12_8B]
}

// MARK: - How this repository lays out the paper's run (choices of ours, not the paper's)

/// The batch layout and assumptions chapter 03 budgets with and chapter 04 writes into the DeepSpeed configuration,
/// so the estimate and the configuration cannot disagree.
public enum PaperSetup {
    /// A100 dense bf16 peak (NVIDIA's data sheet).
    public static let gpuPeakFLOPs = 312e12
    /// 4 sequences per GPU × 8 GPUs × 1 accumulation step = the paper's batch of 32 (the paper does not say how).
    public static let microBatchPerGPU = 4
    public static var gradientAccumulation: Int { Paper.batchSize / (Paper.gpus * microBatchPerGPU) }
    public static var globalBatch: Int { Paper.gpus * microBatchPerGPU * gradientAccumulation }
    /// Sequence length the memory estimate assumes (KoAlpaca's records are short; 512 covers nearly all).
    public static let sequenceLength = 512
}
