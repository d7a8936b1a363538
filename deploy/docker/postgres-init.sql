CREATE DATABASE coxswain_leads;
CREATE DATABASE coxswain_pipeline;
CREATE DATABASE coxswain_forecast;
CREATE DATABASE coxswain_compensation;
CREATE DATABASE coxswain_territory;
