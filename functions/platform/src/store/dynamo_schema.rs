//! Table creation for emulators and the local app. Production tables come from the SAM
//! template (`infra/template.yaml`); the Lambda functions never call this, so their IAM
//! policies do not allow `CreateTable`.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};

use super::dynamo::DynamoStore;
use super::item::StoreError;

/// What the secondary indexes carry besides the keys (the SAM template says the same).
pub const INDEX_PROJECTION: [&str; 3] = ["summary", "version", "expires_at"];

impl DynamoStore {
    /// Creates the table and its indexes when missing (tests and the local app against an
    /// emulator; production tables come from the SAM template).
    pub async fn ensure_table(&self) -> Result<(), StoreError> {
        let exists = self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .is_ok();
        if exists {
            return Ok(());
        }
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(|e| StoreError::backend("build attribute", e))
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(|e| StoreError::backend("build key", e))
        };
        let mut request = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?);
        for name in [
            "pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk",
        ] {
            request = request.attribute_definitions(attr(name)?);
        }
        for gsi in ["gsi1", "gsi2", "gsi3"] {
            request = request.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(gsi)
                    .key_schema(key(&format!("{gsi}pk"), KeyType::Hash)?)
                    .key_schema(key(&format!("{gsi}sk"), KeyType::Range)?)
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::Include)
                            .set_non_key_attributes(Some(
                                INDEX_PROJECTION.iter().map(|a| a.to_string()).collect(),
                            ))
                            .build(),
                    )
                    .build()
                    .map_err(|e| StoreError::backend("build index", e))?,
            );
        }
        request
            .send()
            .await
            .map_err(|e| StoreError::backend("create table", e.into_service_error()))?;
        Ok(())
    }
}
