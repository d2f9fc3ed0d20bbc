// The mnemonics of the DNS registries (IANA "Domain Name System (DNS)
// Parameters"), kept apart from the parser: a table, not logic.
#include <array>
#include <utility>

#include "families/network/dns.h"

namespace nj::dns {

namespace {

// The types a resolver or a piece of malware plausibly asks for; the rest
// print as TYPE<n>, which dig and RFC 3597 also accept as input.
constexpr std::pair<uint16_t, const char*> kTypes[] = {
    {1, "A"},      {2, "NS"},       {5, "CNAME"},       {6, "SOA"},     {10, "NULL"},   {11, "WKS"},
    {12, "PTR"},   {13, "HINFO"},   {14, "MINFO"},      {15, "MX"},     {16, "TXT"},    {17, "RP"},
    {18, "AFSDB"}, {24, "SIG"},     {25, "KEY"},        {28, "AAAA"},   {29, "LOC"},    {33, "SRV"},
    {35, "NAPTR"}, {36, "KX"},      {37, "CERT"},       {39, "DNAME"},  {41, "OPT"},    {42, "APL"},
    {43, "DS"},    {44, "SSHFP"},   {45, "IPSECKEY"},   {46, "RRSIG"},  {47, "NSEC"},   {48, "DNSKEY"},
    {49, "DHCID"}, {50, "NSEC3"},   {51, "NSEC3PARAM"}, {52, "TLSA"},   {53, "SMIMEA"}, {55, "HIP"},
    {59, "CDS"},   {60, "CDNSKEY"}, {61, "OPENPGPKEY"}, {62, "CSYNC"},  {63, "ZONEMD"}, {64, "SVCB"},
    {65, "HTTPS"}, {99, "SPF"},     {108, "EUI48"},     {109, "EUI64"}, {249, "TKEY"},  {250, "TSIG"},
    {251, "IXFR"}, {252, "AXFR"},   {253, "MAILB"},     {254, "MAILA"}, {255, "ANY"},   {256, "URI"},
    {257, "CAA"},  {32768, "TA"},   {32769, "DLV"},
};

constexpr std::pair<uint16_t, const char*> kClasses[] = {
    {1, "IN"}, {3, "CH"}, {4, "HS"}, {254, "NONE"}, {255, "ANY"},
};

constexpr std::array<const char*, 11> kRcodes = {
    "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
    "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE",
};

constexpr std::array<const char*, 6> kOpcodes = {"QUERY", "IQUERY", "STATUS", nullptr, "NOTIFY", "UPDATE"};

template <size_t N>
const char* find(const std::pair<uint16_t, const char*> (&table)[N], uint16_t v) {
  for (const auto& [k, name] : table)
    if (k == v) return name;
  return nullptr;
}

}  // namespace

std::string type_name(uint16_t type) {
  const char* n = find(kTypes, type);
  return n ? n : "TYPE" + std::to_string(type);
}

std::string class_name(uint16_t klass) {
  const char* n = find(kClasses, klass);
  return n ? n : "CLASS" + std::to_string(klass);
}

std::string rcode_name(uint8_t rcode) { return rcode < kRcodes.size() ? kRcodes[rcode] : std::to_string(rcode); }

std::string opcode_name(uint8_t opcode) {
  const char* n = opcode < kOpcodes.size() ? kOpcodes[opcode] : nullptr;
  return n ? n : std::to_string(opcode);
}

}  // namespace nj::dns
