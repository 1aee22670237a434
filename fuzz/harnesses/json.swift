// The JSON parser on arbitrary bytes: a value or a JSONError, never a trap; an error's position lies inside the
// input; and what parses, written back (compact and pretty), parses to the same value.
import Tensor
import Plumbing

func fuzzOne(_ bytes: [UInt8]) {
    let value: JSON
    do {
        value = try JSON.parse(bytes, file: "fuzz.json")
    } catch {
        if error.byteOffset < 0 || error.byteOffset > bytes.count || error.line < 1 || error.column < 1 {
            violated("error position out of range: \(error)")
        }
        if error.file != "fuzz.json" { violated("error does not name the file: \(error)") }
        return
    }
    for pretty in [false, true] {
        let text = value.serialized(pretty: pretty)
        guard let again = try? JSON.parse(text) else { violated("written JSON does not parse: \(text)") }
        if again != value { violated("round trip changed the value: \(text)") }
    }
}
