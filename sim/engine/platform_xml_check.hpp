#pragma once
// Checks of a platform's XML text for the mistakes on which SimGrid 3.32 aborts the whole process
// (xbt_die / "The Impossible Did Happen") instead of throwing: they are found here first, so they
// end as input errors (exit 2) naming the element.
#include <string>

namespace aidcsim {

// Reads `file` and throws InputErrors with every such problem: an unknown zone routing, a duplicated
// host, link or zone id, a route inside a zone of routing "None", a host whose `core` is not a
// positive integer.
void check_platform_xml(const std::string& file);

}  // namespace aidcsim
