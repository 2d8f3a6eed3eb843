namespace DistributedContext

open System
open System.Numerics
open System.Runtime.CompilerServices

/// A node of the trie: a 32-bit occupancy bitmap and the occupied slots, packed. At the leaf
/// level (shift 0) a slot holds a value; above it, a child node.
[<Sealed; AllowNullLiteral>]
type internal IntMapNode(bitmap: uint32, slots: obj[]) =
    member _.Bitmap = bitmap
    member _.Slots = slots

/// Persistent map from dense non-negative ids to values: a 32-way bitmapped trie (as in
/// Clojure's vectors). Reads walk at most ⌈bits(id)/5⌉ levels (2 for ids below 1024) and allocate
/// nothing; a write copies only the nodes on one path.
[<Struct; NoEquality; NoComparison>]
type internal IntMap =
    { Root: IntMapNode
      Shift: int
      Count: int }

[<RequireQualifiedAccess>]
module internal IntMap =

    let empty = { Root = null; Shift = 0; Count = 0 }

    let inline private slotIndex (bitmap: uint32) (bit: uint32) = BitOperations.PopCount(bitmap &&& (bit - 1u))

    /// O(log32 id); no allocation.
    let tryFind (id: int) (map: IntMap) (value: byref<obj>) : bool =
        let mutable node = map.Root
        let mutable shift = map.Shift
        let mutable result = false
        let mutable searching = not (isNull node) && (shift >= 30 || (id >>> (shift + 5)) = 0)
        while searching do
            let bit = 1u <<< ((id >>> shift) &&& 31)
            let bitmap = node.Bitmap
            if bitmap &&& bit = 0u then
                searching <- false
            else
                let slot = node.Slots[slotIndex bitmap bit]
                if shift = 0 then
                    value <- slot
                    result <- true
                    searching <- false
                else
                    node <- Unsafe.As<IntMapNode> slot
                    shift <- shift - 5
        result

    let containsKey id map =
        let mutable ignored = null
        tryFind id map &ignored

    /// Array.copy clones through a slow generic path; an explicit copy is several times faster.
    let inline private copyOf (slots: obj[]) =
        let copy = Array.zeroCreate slots.Length
        Array.Copy(slots, copy, slots.Length)
        copy

    let rec private setIn (node: IntMapNode) (shift: int) (id: int) (value: obj) : IntMapNode =
        let bit = 1u <<< ((id >>> shift) &&& 31)
        if isNull node then
            IntMapNode(bit, [| (if shift = 0 then value else box (setIn null (shift - 5) id value)) |])
        else
            let bitmap = node.Bitmap
            let index = slotIndex bitmap bit
            let slots = node.Slots
            if bitmap &&& bit <> 0u then
                let copy = copyOf slots
                copy[index] <- if shift = 0 then value else box (setIn (Unsafe.As<IntMapNode> slots[index]) (shift - 5) id value)
                IntMapNode(bitmap, copy)
            else
                let grown = Array.zeroCreate (slots.Length + 1)
                Array.Copy(slots, 0, grown, 0, index)
                grown[index] <- if shift = 0 then value else box (setIn null (shift - 5) id value)
                Array.Copy(slots, index, grown, index + 1, slots.Length - index)
                IntMapNode(bitmap ||| bit, grown)

    /// Copies one path; adds a level when the id is beyond the trie's reach.
    let add (id: int) (value: obj) (map: IntMap) : IntMap =
        let count = if containsKey id map then map.Count else map.Count + 1
        let mutable root = map.Root
        let mutable shift = map.Shift
        if isNull root then
            while shift < 30 && (id >>> (shift + 5)) <> 0 do
                shift <- shift + 5
        else
            while shift < 30 && (id >>> (shift + 5)) <> 0 do
                root <- IntMapNode(1u, [| box root |])
                shift <- shift + 5
        { Root = setIn root shift id value; Shift = shift; Count = count }

    let rec private removeIn (node: IntMapNode) (shift: int) (id: int) : IntMapNode =
        let bit = 1u <<< ((id >>> shift) &&& 31)
        let bitmap = node.Bitmap
        let index = slotIndex bitmap bit
        let without () =
            if bitmap = bit then null
            else IntMapNode(bitmap &&& ~~~bit, Array.removeAt index node.Slots)
        if shift = 0 then
            without ()
        else
            match removeIn (Unsafe.As<IntMapNode> node.Slots[index]) (shift - 5) id with
            | null -> without ()
            | child ->
                let copy = copyOf node.Slots
                copy[index] <- box child
                IntMapNode(bitmap, copy)

    /// Returns the same map when the id is absent.
    let remove (id: int) (map: IntMap) : IntMap =
        if not (containsKey id map) then map
        else
            match removeIn map.Root map.Shift id with
            | null -> empty
            | root -> { map with Root = root; Count = map.Count - 1 }

    /// Visits the entries in ascending id order.
    let iter (action: int -> obj -> unit) (map: IntMap) =
        let rec visit (node: IntMapNode) shift prefix =
            let mutable bitmap = node.Bitmap
            let mutable index = 0
            while bitmap <> 0u do
                let slot = BitOperations.TrailingZeroCount bitmap
                let id = prefix ||| (slot <<< shift)
                if shift = 0 then action id node.Slots[index]
                else visit (Unsafe.As<IntMapNode> node.Slots[index]) (shift - 5) id
                bitmap <- bitmap &&& (bitmap - 1u)
                index <- index + 1
        if not (isNull map.Root) then visit map.Root map.Shift 0

    /// Copies the entries, in ascending id order, into the arrays (each at least Count long): no
    /// closure call per entry, for the encoder.
    let copyTo (ids: int[]) (values: obj[]) (map: IntMap) =
        let rec visit (node: IntMapNode) shift prefix (next: int) =
            let mutable bitmap = node.Bitmap
            let mutable index = 0
            let mutable next = next
            while bitmap <> 0u do
                let id = prefix ||| (BitOperations.TrailingZeroCount bitmap <<< shift)
                if shift = 0 then
                    ids[next] <- id
                    values[next] <- node.Slots[index]
                    next <- next + 1
                else
                    next <- visit (Unsafe.As<IntMapNode> node.Slots[index]) (shift - 5) id next
                bitmap <- bitmap &&& (bitmap - 1u)
                index <- index + 1
            next
        if isNull map.Root then 0 else visit map.Root map.Shift 0 0

    /// Builds a map from entries sorted by id with no duplicates, one node at a time (for the decoder).
    let ofSorted (ids: int[]) (values: obj[]) (count: int) : IntMap =
        if count = 0 then empty
        else
            let mutable shift = 0
            while shift < 30 && (ids[count - 1] >>> (shift + 5)) <> 0 do
                shift <- shift + 5
            let rec build (first: int) (last: int) (shift: int) : IntMapNode =
                // ids[first..last] share every bit above this level.
                let mutable bitmap = 0u
                for i in first .. last do
                    bitmap <- bitmap ||| (1u <<< ((ids[i] >>> shift) &&& 31))
                let slots = Array.zeroCreate (BitOperations.PopCount bitmap)
                let mutable i = first
                let mutable slotIndex = 0
                while i <= last do
                    let slot = (ids[i] >>> shift) &&& 31
                    let mutable j = i
                    while j < last && ((ids[j + 1] >>> shift) &&& 31) = slot do
                        j <- j + 1
                    slots[slotIndex] <- if shift = 0 then values[i] else box (build i j (shift - 5))
                    slotIndex <- slotIndex + 1
                    i <- j + 1
                IntMapNode(bitmap, slots)
            { Root = build 0 (count - 1) shift; Shift = shift; Count = count }

    let toList (map: IntMap) : (int * obj) list =
        let mutable entries = []
        iter (fun id value -> entries <- (id, value) :: entries) map
        List.rev entries
