// class-validator's ValidationError shape for isValid answers, from the DTO messages.
#include "model/dto.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace openem {
namespace {
namespace json = boost::json;

TEST(ValidationReasonsTest, OneReasonPerMessageWithItsPropertyAndRule) {
  EXPECT_EQ(validation_reasons({"isPublished must be a boolean value", "property datasetId should not exist",
                                "each value in accessGroups must be a string", "ownerGroup should not be empty",
                                "relationships.0.targetType must be one of the following values: dataset, sample"}),
            json::parse(R"([
      {"property": "isPublished", "constraints": {"isBoolean": "isPublished must be a boolean value"}, "children": []},
      {"property": "datasetId", "constraints": {"whitelistValidation": "property datasetId should not exist"}, "children": []},
      {"property": "accessGroups", "constraints": {"isString": "each value in accessGroups must be a string"}, "children": []},
      {"property": "ownerGroup", "constraints": {"isNotEmpty": "ownerGroup should not be empty"}, "children": []},
      {"property": "relationships", "constraints": {"isEnum": "relationships.0.targetType must be one of the following values: dataset, sample"}, "children": []}
    ])"));
  EXPECT_TRUE(validation_reasons({}).empty());
}

}  // namespace
}  // namespace openem
