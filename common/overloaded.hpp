// Overloaded: a set of lambdas as one visitor for std::visit, e.g.
//   std::visit(Overloaded{[](const Text& t) { ... }, [](const Media& m) { ... }}, content);
// Header-only, no state.
#pragma once

namespace disparo {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace disparo
