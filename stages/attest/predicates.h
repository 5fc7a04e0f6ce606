// The predicate types of dso's own in-toto attestations: written by the
// steps that decide (gate, scan), signed and verified by this library
// (image_signing.h), named by users in `--type` and `--require-gate`.
#ifndef DSO_STAGES_ATTEST_PREDICATES_H_
#define DSO_STAGES_ATTEST_PREDICATES_H_

namespace dso {

// A gate decision (stages/gate/gate_decision.h writes it).
inline constexpr char kGatePredicateType[] =
    "https://dso.dev/attestations/gate/v1";

// A scan's findings (dsoctl attest --type scan).
inline constexpr char kScanPredicateType[] =
    "https://dso.dev/attestations/scan/v1";

}  // namespace dso

#endif  // DSO_STAGES_ATTEST_PREDICATES_H_
