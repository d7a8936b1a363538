-- Run once by the postgres image when its volume is new (docker-entrypoint-initdb.d), as the superuser.
-- One login role per service, owning only its own database: a service can neither read nor change another's
-- data, and none of them is a superuser. Passwords come from the container's environment (\getenv, psql 15+).
\set ON_ERROR_STOP on

\getenv leads_password COXSWAIN_LEADS_DB_PASSWORD
\getenv pipeline_password COXSWAIN_PIPELINE_DB_PASSWORD
\getenv forecast_password COXSWAIN_FORECAST_DB_PASSWORD
\getenv compensation_password COXSWAIN_COMPENSATION_DB_PASSWORD
\getenv territory_password COXSWAIN_TERRITORY_DB_PASSWORD

CREATE ROLE coxswain_leads LOGIN PASSWORD :'leads_password';
CREATE ROLE coxswain_pipeline LOGIN PASSWORD :'pipeline_password';
CREATE ROLE coxswain_forecast LOGIN PASSWORD :'forecast_password';
CREATE ROLE coxswain_compensation LOGIN PASSWORD :'compensation_password';
CREATE ROLE coxswain_territory LOGIN PASSWORD :'territory_password';

CREATE DATABASE coxswain_leads OWNER coxswain_leads;
CREATE DATABASE coxswain_pipeline OWNER coxswain_pipeline;
CREATE DATABASE coxswain_forecast OWNER coxswain_forecast;
CREATE DATABASE coxswain_compensation OWNER coxswain_compensation;
CREATE DATABASE coxswain_territory OWNER coxswain_territory;

-- Nobody but the owner connects to a service's database.
REVOKE ALL ON DATABASE coxswain_leads FROM PUBLIC;
REVOKE ALL ON DATABASE coxswain_pipeline FROM PUBLIC;
REVOKE ALL ON DATABASE coxswain_forecast FROM PUBLIC;
REVOKE ALL ON DATABASE coxswain_compensation FROM PUBLIC;
REVOKE ALL ON DATABASE coxswain_territory FROM PUBLIC;
