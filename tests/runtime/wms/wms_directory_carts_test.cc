// Several carts on one `directory` WMS (issue 12, the known bug): each cart's
// client returns the shipment files holding its own shipments and files one
// away only when no other cart still has to read it, so the first cart to
// pull no longer takes the others' shipments to inbox/done/.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "runtime/wms/wms_client.h"
#include "tests/support/temp_dir.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

std::string ShipmentJson(const std::string& order_key, const std::string& tracking) {
  return R"({"order_key":")" + order_key +
         R"(","carrier":"UPS","service":"GROUND",)"
         R"("tracking_number":")" +
         tracking + R"(","shipped_at":"2026-11-21T08:00:00Z","lines":[]})";
}

std::vector<std::string> List(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class DirectoryCarts : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(root() / "inbox" / "shipments");
    Write("1-a.json", ShipmentJson("cart-a:1", "TA1"));
    Write("2-b.json", ShipmentJson("cart-b:7", "TB7"));
    Write("3-mixed.json", "{\"shipments\": [" + ShipmentJson("cart-a:2", "TA2") + "," +
                              ShipmentJson("cart-b:8", "TB8") + "]}");
    Write("4-empty.json", R"({"shipments": []})");
  }

  fs::path root() const { return fs::path(dir_.path()) / "x"; }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(root() / "inbox" / "shipments" / name) << text;
  }

  std::unique_ptr<WmsClient> Client(const std::string& cart_id) {
    WmsConfig config;
    config.name = "main";
    config.system = "directory";
    FieldValue path;
    path.type = FieldType::String;
    path.text = "x";
    config.fields["path"] = path;
    WmsDeps deps;
    deps.base_dir = dir_.path();
    deps.cart_id = cart_id;
    auto client = MakeWmsClient(config, deps);
    EXPECT_TRUE(client.ok()) << client.status().message();
    return client.ok() ? std::move(client.value()) : nullptr;
  }

  static std::set<std::string> Tracking(const ShipmentPage& page) {
    std::set<std::string> out;
    for (const Shipment& s : page.shipments) out.insert(s.tracking_number);
    return out;
  }

  TempDir dir_;
};

TEST_F(DirectoryCarts, FirstCartNoLongerTakesTheOthersShipments) {
  auto a = Client("cart-a");
  auto b = Client("cart-b");

  auto a1 = a->PullShipments("");
  ASSERT_TRUE(a1.ok()) << a1.status().message();
  EXPECT_EQ(Tracking(a1.value()), (std::set<std::string>{"TA1", "TA2", "TB8"}))
      << "its own files, the shared one, and the empty one; not 2-b.json";
  // Cart a has recorded them: the next pull files away what is a's alone.
  auto a2 = a->PullShipments(a1->next);
  ASSERT_TRUE(a2.ok()) << a2.status().message();
  EXPECT_TRUE(a2->shipments.empty());
  EXPECT_EQ(List(root() / "inbox" / "done"),
            (std::vector<std::string>{"1-a.json", "4-empty.json"}));
  EXPECT_EQ(List(root() / "inbox" / "shipments"),
            (std::vector<std::string>{"2-b.json", "3-mixed.json"}))
      << "b's file and the shared file stay for cart b";

  auto b1 = b->PullShipments("");
  ASSERT_TRUE(b1.ok()) << b1.status().message();
  EXPECT_EQ(Tracking(b1.value()), (std::set<std::string>{"TB7", "TA2", "TB8"}));
  auto b2 = b->PullShipments(b1->next);
  ASSERT_TRUE(b2.ok()) << b2.status().message();
  EXPECT_TRUE(b2->shipments.empty());
  // b was the last of the shared file's carts to read it: everything is filed.
  EXPECT_EQ(List(root() / "inbox" / "done"),
            (std::vector<std::string>{"1-a.json", "2-b.json", "3-mixed.json", "4-empty.json"}));
  EXPECT_TRUE(List(root() / "inbox" / "shipments").empty());
  EXPECT_TRUE(List(root() / "inbox" / ".read" / "cart-a").empty()) << "marks removed";

  // Nothing comes back again for either cart.
  auto a3 = a->PullShipments(a2->next.empty() ? a1->next : a2->next);
  ASSERT_TRUE(a3.ok());
  EXPECT_TRUE(a3->shipments.empty());
}

TEST_F(DirectoryCarts, SharedFileReadByBothBeforeEitherFilesItIsFiledLater) {
  auto a = Client("cart-a");
  auto b = Client("cart-b");
  auto a1 = a->PullShipments("");
  auto b1 = b->PullShipments("");
  ASSERT_TRUE(a1.ok() && b1.ok());
  ASSERT_TRUE(a->PullShipments(a1->next).ok());  // a marks 3-mixed.json
  ASSERT_TRUE(b->PullShipments(b1->next).ok());  // b sees a's mark: files it
  EXPECT_EQ(List(root() / "inbox" / "shipments"), std::vector<std::string>{});
  EXPECT_TRUE(fs::exists(root() / "inbox" / "done" / "3-mixed.json"));
}

TEST_F(DirectoryCarts, ClientForNoParticularCartMovesEverythingItRead) {
  auto any = Client("");
  auto p1 = any->PullShipments("");
  ASSERT_TRUE(p1.ok()) << p1.status().message();
  EXPECT_EQ(p1->shipments.size(), 4u);
  ASSERT_TRUE(any->PullShipments(p1->next).ok());
  EXPECT_TRUE(List(root() / "inbox" / "shipments").empty());
}

}  // namespace
}  // namespace cartsync
