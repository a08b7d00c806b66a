// Unit tests of asio/handler_allocator.h: the block is recycled, a busy or too-small block
// falls back to the heap, and Asio really allocates its operations through the wrapper.
#include "asio/handler_allocator.h"

#include <gtest/gtest.h>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace iomb::asio {
namespace {

TEST(HandlerMemory, ReusesOneBlockAndFallsBackWhenBusyOrTooLarge) {
  HandlerMemory memory;
  void* a = memory.allocate(64);
  memory.deallocate(a);
  void* b = memory.allocate(HandlerMemory::kBytes);
  EXPECT_EQ(a, b) << "the block is recycled";
  void* busy = memory.allocate(16);  // the block is still held by b
  EXPECT_NE(busy, b);
  EXPECT_EQ(memory.fallbacks(), 1u);
  memory.deallocate(busy);
  memory.deallocate(b);
  void* big = memory.allocate(HandlerMemory::kBytes + 1);
  EXPECT_EQ(memory.fallbacks(), 2u);
  memory.deallocate(big);
  EXPECT_EQ(memory.allocate(8), a) << "the block is free again";
}

TEST(HandlerMemory, AsioFindsTheAllocatorOfAWrappedHandler) {
  HandlerMemory memory;
  auto handler = with_memory(memory, [] {});
  auto alloc = boost::asio::get_associated_allocator(handler);
  EXPECT_TRUE(alloc == HandlerAllocator<std::byte>(memory));

  // A chain of posts, each started from the previous handler: every operation fits the block,
  // so nothing falls back to the heap.
  boost::asio::io_context context(1);
  int remaining = 100;
  struct Step {
    HandlerMemory& memory;
    boost::asio::io_context& context;
    int& remaining;
    void operator()() const {
      if (--remaining > 0) boost::asio::post(context, with_memory(memory, *this));
    }
  };
  boost::asio::post(context, with_memory(memory, Step{memory, context, remaining}));
  context.run();
  EXPECT_EQ(remaining, 0);
  EXPECT_EQ(memory.fallbacks(), 0u);
}

}  // namespace
}  // namespace iomb::asio
