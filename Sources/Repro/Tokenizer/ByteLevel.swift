// Byte-level pre-tokenization, as GPT-2 introduced it and Hugging Face's `ByteLevel` pre-tokenizer does it.
//
// Two ideas. (1) Split text into "words" with one fixed regular expression, so that merges never cross a word
// boundary (a space belongs to the word after it: " dog", " 강아지"). (2) Work on bytes, not characters: every one of
// the 256 byte values is a symbol of the base vocabulary, so any text — Korean, emoji, binary junk — is encodable and
// no "unknown" token is ever needed. Because tokenizer.json stores tokens as text, each byte is written as a printable
// stand-in character (GPT-2's byte-to-unicode table): printable bytes stand for themselves, the 68 others (space,
// control bytes, ...) are shifted to U+0100 and up, so the space byte 0x20 appears in files as "Ġ" (U+0120).

/// GPT-2's byte ↔ character table.
enum ByteLevelAlphabet {
    /// The stand-in character for each byte value.
    static let characterForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var shifted: UInt32 = 256
        for byte in 0..<256 {
            let printable = (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(shifted)!   // 256...323: always valid scalars
                shifted += 1
            }
        }
        return table
    }()

    /// The byte each stand-in character means (the inverse table).
    static let byteForCharacter: [Unicode.Scalar: UInt8] = {
        var inverse: [Unicode.Scalar: UInt8] = [:]
        for (byte, character) in characterForByte.enumerated() { inverse[character] = UInt8(byte) }
        return inverse
    }()

    /// How a token's bytes are written in tokenizer.json.
    static func text(of bytes: some Sequence<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(characterForByte[Int(b)]) }
        return String(s)
    }

    /// The bytes a token written in tokenizer.json stands for, or nil when a character is not in the table
    /// (added tokens such as "<|endoftext|>" are plain text and decode as their UTF-8).
    static func bytes(of token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let b = byteForCharacter[scalar] else { return nil }
            out.append(b)
        }
        return out
    }
}

// MARK: - The GPT-2 split, by hand

/// The four character classes the GPT-2 expression distinguishes.
enum CharacterClass: UInt8 { case letter, number, whitespace, other }

/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, hand-written over UTF-8.
///
/// Hugging Face runs this expression with Oniguruma, where `\s` is Unicode's White_Space property, `\p{L}` the
/// letter categories (Lu Ll Lt Lm Lo) and `\p{N}` the number categories (Nd Nl No). Swift's `Regex` would do, but is
/// many times slower; the expression is simple enough to follow by hand. The alternatives are tried in order at each
/// position and every character matches at least one of them, so the pieces cover the text with no gaps.
enum GPT2Split {
    /// Calls `emit(start, end)` for each piece of `bytes[range]`, in order. `bytes` must hold valid UTF-8.
    static func pieces(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ emit: (Int, Int) -> Void) {
        let end = range.upperBound
        var i = range.lowerBound
        while i < end {
            let c = scalar(bytes, i, end).value
            let cls = characterClass(c)
            // 's 't 're 've 'm 'll 'd (lower case only, as in GPT-2)
            if c == 0x27, i + 1 < end {
                let b1 = bytes[i + 1]
                if b1 == UInt8(ascii: "s") || b1 == UInt8(ascii: "t") || b1 == UInt8(ascii: "m") || b1 == UInt8(ascii: "d") {
                    emit(i, i + 2); i += 2; continue
                }
                if i + 2 < end {
                    let b2 = bytes[i + 2]
                    if (b1 == UInt8(ascii: "r") && b2 == UInt8(ascii: "e")) || (b1 == UInt8(ascii: "v") && b2 == UInt8(ascii: "e"))
                        || (b1 == UInt8(ascii: "l") && b2 == UInt8(ascii: "l")) {
                        emit(i, i + 3); i += 3; continue
                    }
                }
            }
            // " ?X+" for X = letters, numbers, others: one optional ASCII space, then a run of one class.
            var runStart = i, runClass = cls
            if c == 0x20, i + 1 < end {
                let nextClass = characterClass(scalar(bytes, i + 1, end).value)
                if nextClass != .whitespace { runStart = i + 1; runClass = nextClass }
            }
            if runClass != .whitespace {
                let j = runEnd(bytes, from: runStart, end, runClass)
                emit(i, j); i = j; continue
            }
            // Whitespace: `\s+(?!\S)` takes the run but leaves its last character to start the next word (so that
            // "a   b" gives "a", "  ", " b"); a run at the very end, or of one character, is taken whole (`\s+`).
            let j = runEnd(bytes, from: i, end, .whitespace)
            if j < end {
                let last = lastScalarStart(bytes, before: j, notBefore: i)
                if last > i { emit(i, last); i = last; continue }
            }
            emit(i, j); i = j
        }
    }

    /// The end of the run of `cls` characters starting at `start`.
    @inline(__always)
    static func runEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ end: Int, _ cls: CharacterClass) -> Int {
        var j = start
        while j < end {
            let (c, width) = scalar(bytes, j, end)
            if characterClass(c) != cls { break }
            j += width
        }
        return j
    }

    @inline(__always)
    static func lastScalarStart(_ bytes: UnsafeBufferPointer<UInt8>, before j: Int, notBefore start: Int) -> Int {
        var k = j - 1
        while k > start && bytes[k] & 0xC0 == 0x80 { k -= 1 }
        return k
    }

    /// Decode one scalar of valid UTF-8 at `i`: its value and its length in bytes (never past `end`).
    @inline(__always)
    static func scalar(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> (value: UInt32, width: Int) {
        let b0 = UInt32(bytes[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 >= 0xF0, i + 3 < end {
            return ((b0 & 0x07) << 18 | (UInt32(bytes[i + 1]) & 0x3F) << 12 | (UInt32(bytes[i + 2]) & 0x3F) << 6
                    | (UInt32(bytes[i + 3]) & 0x3F), 4)
        }
        if b0 >= 0xE0, i + 2 < end {
            return ((b0 & 0x0F) << 12 | (UInt32(bytes[i + 1]) & 0x3F) << 6 | (UInt32(bytes[i + 2]) & 0x3F), 3)
        }
        if b0 >= 0xC0, i + 1 < end {
            return ((b0 & 0x1F) << 6 | (UInt32(bytes[i + 1]) & 0x3F), 2)
        }
        return (0xFFFD, 1)   // unreachable for valid UTF-8; keeps a bad buffer from reading out of bounds
    }

    /// ASCII by table, Hangul syllables by range (most of our text), everything else by Unicode properties.
    @inline(__always)
    static func characterClass(_ value: UInt32) -> CharacterClass {
        if value < 0x80 { return asciiClass[Int(value)] }
        if value >= 0xAC00 && value <= 0xD7A3 { return .letter }
        guard let s = Unicode.Scalar(value) else { return .other }
        let properties = s.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    static let asciiClass: [CharacterClass] = (0..<128).map { v in
        switch v {
        case 0x09...0x0D, 0x20: return .whitespace
        case 0x30...0x39: return .number
        case 0x41...0x5A, 0x61...0x7A: return .letter
        default: return .other
        }
    }
}
